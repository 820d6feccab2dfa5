import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { problem } from '../backend/http'
import { useAutoFocus } from './auto-focus'
import { ErrorLine } from './error-line'

/** A labelled input; the label is the accessible name. */
export function Field(props: {
  label: string
  type?: string
  value: string
  onChange: (value: string) => void
  autoComplete?: string
  required?: boolean
  hint?: string
  autoFocus?: boolean
  name?: string
}) {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  useAutoFocus(input, props.autoFocus)
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        ref={input}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        required={props.required ?? true}
        autoFocus={props.autoFocus}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
      {props.hint && <small id={`${id}-hint`}>{props.hint}</small>}
    </div>
  )
}

/** A form that runs `action` on submit, shows its error, and is disabled meanwhile. */
export function ActionForm(props: { label: string; action: () => Promise<void>; submit: string; children: ReactNode }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await props.action()
    } catch (err) {
      setError(problem(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form aria-label={props.label} onSubmit={(e) => void onSubmit(e)}>
      {props.children}
      <ErrorLine error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {props.submit}
      </button>
    </form>
  )
}

/** The centred card the sign-in screens live in. */
export function AuthCard(props: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand" aria-hidden="true">
          <img src="/favicon.svg" alt="" width="40" height="40" /> OComms
        </div>
        <h1>{props.title}</h1>
        {props.children}
      </div>
    </main>
  )
}

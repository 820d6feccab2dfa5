/** What went wrong, read out as soon as it shows (an alert); nothing while all is well. */
export function ErrorLine(props: { error: string | null | undefined }) {
  if (!props.error) return null
  return (
    <p className="error" role="alert">
      {props.error}
    </p>
  )
}

import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import type { Logger } from 'pino'
import type { ServerConfig } from '../config.js'

export interface Mail {
  to: string
  subject: string
  text: string
}

export interface Mailer {
  send(mail: Mail): Promise<void>
}

/** A mail as a file a person (or a test) can read: headers, a blank line, the text. */
export function mailFile(mail: Mail, from: string): string {
  return `From: ${from}\nTo: ${mail.to}\nSubject: ${mail.subject}\nDate: ${new Date().toUTCString()}\n\n${mail.text}\n`
}

/**
 * Sends through SMTP when OCOMMS_SMTP_URL is set. Otherwise, with OCOMMS_DEV_MAIL_DIR, each
 * mail is written as a file there (owner-only, 0600), for development and small trials.
 * With neither, nothing is sent and only the fact is logged: a mail carries sign-in links,
 * which must never reach a log (anyone who reads it could sign in as the addressee).
 */
export function createMailer(config: ServerConfig, log: Logger): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl)
    return {
      async send(mail) {
        await transport.sendMail({ from: config.mailFrom, ...mail })
      },
    }
  }
  const dir = config.devMailDir
  if (dir) {
    return {
      async send(mail) {
        await mkdir(dir, { recursive: true, mode: 0o700 })
        // The name says when, not to whom: listing the folder tells nothing.
        const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`)
        await writeFile(file, mailFile(mail, config.mailFrom), { mode: 0o600, flag: 'wx' })
        log.info({ file }, `mail written to ${file} (OCOMMS_DEV_MAIL_DIR): ${mail.subject}`)
      },
    }
  }
  return {
    async send(mail) {
      log.warn(
        { subject: mail.subject },
        'a mail was not sent: no mail server is configured. Set OCOMMS_SMTP_URL (or OCOMMS_DEV_MAIL_DIR to write mails to files while trying OComms out)',
      )
    },
  }
}

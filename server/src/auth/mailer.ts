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

/**
 * Sends through SMTP when OCOMMS_SMTP_URL is set. Without SMTP, a small server cannot
 * mail anyone, so the message goes to the server log where the operator can pass it on.
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
  return {
    async send(mail) {
      log.info({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, `mail to ${mail.to} (SMTP is not configured): ${mail.subject}`)
    },
  }
}

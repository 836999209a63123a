export type Tone = 'success' | 'destructive' | 'warning' | 'info' | 'secondary'

/** The colour family of a delivery or message status. */
export function statusTone(status: string): Tone {
  switch (status) {
    case 'SUCCEEDED':
      return 'success'
    case 'FAILED':
      return 'destructive'
    case 'PARTIAL':
    case 'RETRYING':
    case 'RATE_LIMITED':
    case 'UNKNOWN':
      return 'warning'
    case 'SENDING':
    case 'QUEUED':
      return 'info'
    default:
      return 'secondary'
  }
}

/** True when a status can still change (the console keeps listening for it). */
export function isInFlight(status: string): boolean {
  return ['QUEUED', 'SENDING', 'RETRYING', 'RATE_LIMITED', 'SCHEDULED'].includes(status)
}

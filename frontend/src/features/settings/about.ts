/** Whole days, hours and minutes of an uptime in seconds, for the About panel. */
export function uptimeParts(seconds: number): { d: number; h: number; m: number } {
  const whole = Math.max(0, Math.floor(seconds))
  return { d: Math.floor(whole / 86_400), h: Math.floor((whole % 86_400) / 3600), m: Math.floor((whole % 3600) / 60) }
}

/** Resident memory in mebibytes, one decimal under 10 MiB, whole above. */
export function mebibytes(bytes: number): number {
  const mib = bytes / 1_048_576
  return mib < 10 ? Math.round(mib * 10) / 10 : Math.round(mib)
}

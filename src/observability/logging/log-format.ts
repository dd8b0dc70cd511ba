/** How log lines look: one JSON object per line (for log shippers) or Nest's coloured text (for people). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** PRISM_LOG_FORMAT when set; otherwise pretty on a terminal and JSON everywhere else (containers, CI). */
export function resolveLogFormat(configured: LogFormat | undefined, isTty: boolean | undefined): LogFormat {
  return configured ?? (isTty === true ? 'pretty' : 'json');
}

/**
 * Text a user wrote (a monitor's name, a failing run's output) where CronPeek shows it to people:
 * in e-mail subjects and bodies, Slack and PagerDuty summaries, SVG badges. A name may hold none of
 * the characters below (checked on create and edit); names stored before that rule, and output,
 * which may hold anything, are neutralised where they are shown.
 */

/** Line breaks: a CR or LF in an e-mail subject starts a new header; LS and PS break lines too. */
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/gu;

/**
 * What never belongs in displayed text: C0 and C1 controls and DEL; the bidirectional marks,
 * embeddings, overrides and isolates (ALM, LRM, RLM, LRE–RLO, LRI–PDI), which reorder the text
 * around them so that what is read is not what was written; the interlinear annotation
 * controls; and what XML 1.0 has no character for (U+FFFE, U+FFFF, an unpaired surrogate), which
 * makes an SVG unreadable.
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ufffe\uffff\p{Cs}]/gu;

/** Multi-line text keeps its tabs and line feeds; a CR, alone or before an LF, ends a line too. */
const LINE_ENDS = /\r\n?|[\v\f\u0085\u2028\u2029]/gu;
const HIDDEN_IN_LINES = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ufffe\uffff\p{Cs}]/gu;

/** The text on one line: each run of line breaks and tabs becomes one space, hidden characters go. */
export function displayLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(HIDDEN, '');
}

/** The text as lines separated by `\n` (tabs kept), hidden characters gone. */
export function displayLines(text: string): string {
  return text.replace(LINE_ENDS, '\n').replace(HIDDEN_IN_LINES, '');
}

/** Whether a name shows as written: nothing in it would be replaced or removed on display. */
export function isDisplayable(name: string): boolean {
  return displayLine(name) === name;
}

/** At most `max` characters (code points, so an emoji is never cut in half), with `…` when cut. */
export function shortened(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

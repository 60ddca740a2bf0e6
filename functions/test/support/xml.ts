/**
 * Every character XML 1.0 can hold (its `Char` production: tab, LF, CR, U+0020–U+D7FF,
 * U+E000–U+FFFD, U+10000–U+10FFFF), as a whole-string check. Strict where parsers are lenient.
 */
export const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

/** The bidirectional controls: marks, embeddings, overrides and isolates. */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

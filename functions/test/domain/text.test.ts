import { displayLine, displayLines, isDisplayable, shortened } from '../../src/domain/text';
import { BIDI_CONTROLS, XML_CHARS } from '../support/xml';

describe('user text shown to people', () => {
  test.each([
    ['a line feed', 'a\nb', 'a b'],
    ['a CR LF', 'a\r\nBcc: x@example.com', 'a Bcc: x@example.com'],
    ['a tab', 'a\tb', 'a b'],
    ['the line and paragraph separators', 'a\u2028b\u2029c', 'a b c'],
    ['a NUL, a BEL and DEL', 'a\u0000b\u0007c\u007f', 'abc'],
    ['a C1 control', 'a\u009bb', 'ab'],
    ['a right-to-left override and its pop', 'evil\u202Etxt.exe\u202C', 'eviltxt.exe'],
    ['the isolates', '\u2066a\u2067b\u2068c\u2069', 'abc'],
    ['the direction marks (LRM, RLM, ALM)', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
    ['XML-invalid noncharacters and an unpaired surrogate', 'a\uFFFEb\uFFFFc\uD800d', 'abcd'],
  ])('one line: %s', (_what, input, shown) => {
    expect(displayLine(input)).toBe(shown);
    expect(isDisplayable(input)).toBe(false);
  });

  test.each([
    ['plain ASCII', 'Nightly DB Backup (eu) #2'],
    ['accents and other scripts', 'Sauvegarde nocturne — données, 夜间备份, نسخ احتياطي'],
    ['an emoji sequence joined by ZWJ', '👩‍💻 deploy 🇪🇺'],
    ['quotes of every kind', `"db" 'db' “db” «db»`],
  ])('keeps %s as written', (_what, name) => {
    expect(displayLine(name)).toBe(name);
    expect(isDisplayable(name)).toBe(true);
  });

  test('lines keep their line feeds and tabs; CR and CR LF end a line; hidden characters go', () => {
    expect(displayLines('one\r\ntwo\rthree\u2028four\tcol\u202Eend\u0000')).toBe('one\ntwo\nthree\nfour\tcolend');
  });

  test('whatever is stored, the result holds only characters XML can hold, and no bidirectional control', () => {
    let everyCodeUnit = '';
    for (let c = 0; c <= 0xffff; c++) everyCodeUnit += String.fromCharCode(c);
    for (const shown of [displayLine(everyCodeUnit), displayLines(everyCodeUnit)]) {
      expect(shown).toMatch(XML_CHARS);
      expect(shown).not.toMatch(BIDI_CONTROLS);
    }
    expect(displayLine(everyCodeUnit)).not.toMatch(/[\r\n]/);
  });

  test('shortening counts characters, so an emoji is never cut in half', () => {
    const name = `${'x'.repeat(38)}😀😀😀`;
    expect(shortened(name, 40)).toBe(`${'x'.repeat(38)}😀…`);
    expect(shortened(name, 40)).toMatch(XML_CHARS);
    expect(shortened('short', 40)).toBe('short');
  });
});

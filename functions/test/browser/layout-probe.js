// Measures the documentation page in the browser; docs.test.ts evaluates this function in the page.
function measureLayout() {
  const root = document.documentElement;
  const viewport = root.clientWidth;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;

  const overflowing = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > viewport + 1 && !inScroller(el))
    .map(describe);
  const clippedCells = [...document.querySelectorAll('th, td')].filter((c) => c.scrollWidth > c.clientWidth + 1).map(describe);
  const unscrollableTables = [...document.querySelectorAll('table')]
    .filter((t) => t.getBoundingClientRect().right > viewport + 1 && !inScroller(t))
    .map(describe);
  const breakAnywhere = [...document.querySelectorAll('th, td, code')]
    .filter((el) => {
      const style = getComputedStyle(el);
      return style.wordBreak === 'break-all' || style.overflowWrap === 'anywhere';
    })
    .map(describe);

  const midWordBreaks = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const charTop = (node, i) => {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const rect = [...range.getClientRects()].find((r) => r.width > 0);
    return rect ? Math.round(rect.top) : null;
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest('pre') || parent.getClientRects().length === 0) continue;
    let block = parent;
    while (getComputedStyle(block).display.startsWith('inline') && block.parentElement) block = block.parentElement;
    for (const word of node.data.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      if (new Set(rects.map((r) => Math.round(r.top))).size < 2) continue;
      const width = rects.reduce((sum, r) => sum + r.width, 0);
      if (width > block.clientWidth) continue; // cannot fit a line of its own (a long URL): may break
      let previous = charTop(node, word.index);
      for (let i = 1; i < word[0].length; i++) {
        const top = charTop(node, word.index + i);
        if (top !== null && previous !== null && top !== previous && /[\p{L}\p{N}]/u.test(word[0][i - 1]) && /[\p{L}\p{N}]/u.test(word[0][i])) {
          midWordBreaks.push(`${word[0].slice(0, i)}|${word[0].slice(i)} in ${describe(block)}`);
        }
        if (top !== null) previous = top;
      }
    }
  }
  return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, overflowing, clippedCells, unscrollableTables, midWordBreaks, breakAnywhere };
}

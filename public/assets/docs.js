// Documentation page: point the examples at the server that serves this page, and add copy buttons.
(function () {
  'use strict';

  var DOCUMENTED_ORIGIN = 'https://cronpeek.web.app';

  // Opened as a file, the page has no origin worth showing; keep the documented one.
  var origin = /^https?:$/.test(location.protocol) ? location.origin : DOCUMENTED_ORIGIN;

  function useLocalOrigin() {
    if (origin === DOCUMENTED_ORIGIN) return;
    var codes = document.querySelectorAll('code');
    for (var i = 0; i < codes.length; i++) {
      var code = codes[i];
      if (code.textContent.indexOf(DOCUMENTED_ORIGIN) !== -1) {
        code.textContent = code.textContent.split(DOCUMENTED_ORIGIN).join(origin);
      }
    }
  }

  var copyText = window.cronpeekCopy;

  function addCopyButtons() {
    var blocks = document.querySelectorAll('.code-block');
    for (var i = 0; i < blocks.length; i++) {
      (function (block) {
        var code = block.querySelector('code');
        if (!code) return;
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'copy-button';
        button.textContent = 'Copy';
        button.setAttribute('aria-label', 'Copy code example');
        button.addEventListener('click', function () {
          copyText(code.textContent).then(
            function () { button.textContent = 'Copied'; },
            function () { button.textContent = 'Select and copy'; }
          );
          setTimeout(function () { button.textContent = 'Copy'; }, 1500);
        });
        block.appendChild(button);
      })(blocks[i]);
    }
  }

  // The contents sit above the text on a narrow screen: start them folded there. The HTML has them
  // open, so without this script (or on a wide screen) they stay visible.
  function foldContentsOnNarrowScreens() {
    var details = document.querySelector('.toc-details');
    if (details && window.matchMedia && window.matchMedia('(max-width: 860px)').matches) details.open = false;
  }

  useLocalOrigin();
  addCopyButtons();
  foldContentsOnNarrowScreens();
})();

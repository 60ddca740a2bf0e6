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

  useLocalOrigin();
  addCopyButtons();
})();

// The messages of jQuery Validation's own rules (type="email", type="url", min, max…) in the page's language: the page
// carries them, translated, in #validation-messages. Rules the server sent (data-val-*) have their own messages.
(function ($) {
    'use strict';
    var source = document.getElementById('validation-messages');
    if (!$ || !$.validator || !source) {
        return;
    }
    $.extend($.validator.messages, JSON.parse(source.getAttribute('data-messages') || '{}'));
}(window.jQuery));

// Progressive enhancement only: every form works without this script.
(function () {
    'use strict';

    // A checkbox with data-toggles="#id" shows the element #id only while it is checked.
    document.querySelectorAll('input[type=checkbox][data-toggles]').forEach(function (box) {
        var target = document.querySelector(box.getAttribute('data-toggles'));
        if (!target) {
            return;
        }
        var sync = function () { target.hidden = !box.checked; };
        box.addEventListener('change', sync);
        sync();
    });
}());

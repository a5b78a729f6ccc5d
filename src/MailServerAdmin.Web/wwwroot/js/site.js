// Progressive enhancement only: every form works without this script (all fields are then shown, and the
// server fills in a provider's defaults).
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

    // Authentication type and provider show their own fields only.
    var form = null;
    var authRadios = document.querySelectorAll('input[data-switch=auth]');
    var provider = document.querySelector('select[data-switch=provider]');
    form = provider ? provider.form : null;
    var showMatching = function (attribute, value) {
        document.querySelectorAll('[' + attribute + ']').forEach(function (el) {
            el.hidden = el.getAttribute(attribute).split(' ').indexOf(value) < 0;
        });
    };
    var currentAuth = function () {
        var checked = document.querySelector('input[data-switch=auth]:checked');
        return checked ? checked.value : 'Basic';
    };
    if (authRadios.length) {
        authRadios.forEach(function (radio) {
            radio.addEventListener('change', function () { showMatching('data-show-auth', currentAuth()); });
        });
        showMatching('data-show-auth', currentAuth());
    }

    if (provider && form) {
        var defaults = JSON.parse(provider.getAttribute('data-defaults') || '{}');
        var previous = provider.value;
        var fill = function (from, to) {
            ['AuthorizationUrl', 'TokenUrl', 'RevocationUrl', 'Scopes', 'Tenant'].forEach(function (name) {
                var input = form.querySelector('[name="Input.' + name + '"]');
                if (!input) {
                    return;
                }
                var old = (defaults[from] || {})[name] || '';
                // Only values the administrator has not changed are replaced by the new provider's defaults.
                if (input.value === '' || input.value === old) {
                    input.value = (defaults[to] || {})[name] || '';
                }
            });
        };
        provider.addEventListener('change', function () {
            fill(previous, provider.value);
            previous = provider.value;
            showMatching('data-show-provider', provider.value);
        });
        authRadios.forEach(function (radio) {
            radio.addEventListener('change', function () {
                if (currentAuth() === 'OAuth') {
                    fill(provider.value, provider.value);
                }
            });
        });
        showMatching('data-show-provider', provider.value);
    }

    // Copy buttons exist only where the script runs. Their texts come from the page, in its language.
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
        var source = document.querySelector(button.getAttribute('data-copy'));
        if (!source || !navigator.clipboard) {
            return;
        }
        var label = button.textContent;
        var copied = button.getAttribute('data-copied') || label;
        button.hidden = false;
        button.addEventListener('click', function () {
            navigator.clipboard.writeText(source.value).then(function () {
                button.textContent = copied;
                setTimeout(function () { button.textContent = label; }, 2000);
            });
        });
    });
}());

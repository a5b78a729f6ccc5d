using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Localization;

/// <summary>
/// The resource texts, looked up once per culture and kept. Every look-up through the resource manager takes a lock
/// that concurrent requests wait for, and a page looks up dozens (the layout alone a dozen on every request). Only texts
/// the resources have are kept, so the cache is bounded by the resource files.
/// </summary>
public sealed class CachingStringLocalizerFactory(IStringLocalizerFactory inner) : IStringLocalizerFactory
{
    private readonly ConcurrentDictionary<IStringLocalizer, IStringLocalizer> _localizers = new(ReferenceEqualityComparer.Instance);

    public IStringLocalizer Create(Type resourceSource) => Cached(inner.Create(resourceSource));

    public IStringLocalizer Create(string baseName, string location) => Cached(inner.Create(baseName, location));

    // The inner factory keeps one localizer per resource, so this keeps one cache per resource.
    private IStringLocalizer Cached(IStringLocalizer localizer) =>
        _localizers.GetOrAdd(localizer, static l => new CachingStringLocalizer(l));

    private sealed class CachingStringLocalizer(IStringLocalizer inner) : IStringLocalizer
    {
        private readonly ConcurrentDictionary<(string Culture, string Name), LocalizedString> _texts = new();

        public LocalizedString this[string name]
        {
            get
            {
                ArgumentNullException.ThrowIfNull(name);
                var key = (CultureInfo.CurrentUICulture.Name, name);
                if (_texts.TryGetValue(key, out var text))
                {
                    return text;
                }

                text = inner[name];
                if (!text.ResourceNotFound)
                {
                    _texts.TryAdd(key, text);
                }

                return text;
            }
        }

        public LocalizedString this[string name, params object[] arguments]
        {
            get
            {
                var format = this[name];
                return new LocalizedString(name, string.Format(CultureInfo.CurrentCulture, format.Value, arguments), format.ResourceNotFound, format.SearchedLocation);
            }
        }

        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => inner.GetAllStrings(includeParentCultures);
    }
}

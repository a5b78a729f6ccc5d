namespace MailServerAdmin.Resources;

/// <summary>
/// The app's texts: <c>SharedResource.resx</c> beside this file is English (the default), <c>SharedResource.es.resx</c>
/// Spanish and <c>SharedResource.pt-BR.resx</c> Brazilian Portuguese. Pages and page models look texts up with an
/// <c>IStringLocalizer&lt;SharedResource&gt;</c>; services return a <see cref="Localization.LocalizableText"/>.
/// </summary>
public sealed class SharedResource;

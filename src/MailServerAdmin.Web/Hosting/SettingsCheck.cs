using System.Globalization;
using MailServerAdmin.Data;

namespace MailServerAdmin.Web.Hosting;

/// <summary>
/// Every documented setting, checked before the app is built: a value the app cannot use stops it at start, with a
/// message that names the setting, instead of failing later in a request (or never being noticed).
/// </summary>
public static class SettingsCheck
{
    public const string PublicBaseUrlSetting = "PublicBaseUrl";

    /// <summary>What is wrong with the configuration; empty when the app can start.</summary>
    public static IReadOnlyList<SettingProblem> Run(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<SettingProblem>();
        try
        {
            DatabaseSettings.Read(configuration, environment.ContentRootPath).Certificate?.Dispose();
        }
        catch (InvalidSettingsException e)
        {
            problems.AddRange(e.Problems);
        }

        ForwardedHeadersSettings.Read(configuration, problems);
        CheckPublicBaseUrl(configuration, problems);
        CheckInt(configuration, "OAuth:TimeoutSeconds", 1, 600, problems);
        CheckInt(configuration, "OAuth:RefreshCheckMinutes", 0, 10_080, problems);
        CheckInt(configuration, "Smtp:TimeoutSeconds", 1, 600, problems);
        CheckInt(configuration, "https_port", 1, 65_535, problems);
        return problems;
    }

    /// <summary>The message an operator reads when the app refuses to start.</summary>
    public static string Describe(IReadOnlyList<SettingProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return "MailServerAdmin cannot start: these settings have values it cannot use (see the Configuration section of the README)."
            + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
    }

    private static void CheckPublicBaseUrl(IConfiguration configuration, List<SettingProblem> problems)
    {
        var value = configuration[PublicBaseUrlSetting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problems.Add(new(PublicBaseUrlSetting, $"'{value}' is not the address browsers use, such as https://mail-admin.example.com (http or https, no query)."));
        }
    }

    private static void CheckInt(IConfiguration configuration, string setting, int min, int max, List<SettingProblem> problems)
    {
        var value = configuration[setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            problems.Add(new(setting, $"'{value}' is not a whole number from {min} to {max}."));
        }
    }
}

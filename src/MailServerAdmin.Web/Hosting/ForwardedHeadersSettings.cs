using System.Net;
using MailServerAdmin.Data;

namespace MailServerAdmin.Web.Hosting;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> headers the app believes: only those
/// configured, by address (<c>ForwardedHeaders:KnownProxies</c>) or by network (<c>ForwardedHeaders:KnownNetworks</c>).
/// With none, the headers are ignored from everybody, this machine included.
/// </summary>
public sealed record ForwardedHeadersSettings(IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks, int ForwardLimit)
{
    public const string KnownProxiesSetting = "ForwardedHeaders:KnownProxies";
    public const string KnownNetworksSetting = "ForwardedHeaders:KnownNetworks";
    public const string ForwardLimitSetting = "ForwardedHeaders:ForwardLimit";

    /// <summary>A proxy is configured: the app is meant to be reached through it.</summary>
    public bool AnyTrusted => Proxies.Count > 0 || Networks.Count > 0;

    /// <summary>The trusted addresses and networks, for the start-up log.</summary>
    public string Describe() => string.Join(", ", Proxies.Select(p => p.ToString()).Concat(Networks.Select(n => n.ToString())));

    /// <summary>
    /// Reads the settings; a list is given as one value separated by commas (<c>10.0.0.5, 10.0.0.6</c>, handy in an
    /// environment variable) or as an array (<c>ForwardedHeaders__KnownProxies__0</c>).
    /// </summary>
    public static ForwardedHeadersSettings Read(IConfiguration configuration, List<SettingProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var proxies = new List<IPAddress>();
        foreach (var value in Values(configuration, KnownProxiesSetting))
        {
            // IPAddress.Parse also takes "1" (0.0.0.1): an address is written with its dots or colons.
            if ((value.Contains('.', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal)) && IPAddress.TryParse(value, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                problems.Add(new(KnownProxiesSetting, $"'{value}' is not an IP address (such as 10.0.0.5 or fd00::5); list several separated by commas."));
            }
        }

        var networks = new List<IPNetwork>();
        foreach (var value in Values(configuration, KnownNetworksSetting))
        {
            if (IPNetwork.TryParse(value, out var network))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add(new(KnownNetworksSetting,
                    $"'{value}' is not a network in CIDR notation (such as 10.0.0.0/8 or fd00::/8); list several separated by commas."));
            }
        }

        var limit = 1;
        if (configuration[ForwardLimitSetting] is { Length: > 0 } text)
        {
            if (int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 10)
            {
                limit = parsed;
            }
            else
            {
                problems.Add(new(ForwardLimitSetting, $"'{text}' is not a number of proxies from 1 to 10."));
            }
        }

        return new ForwardedHeadersSettings(proxies, networks, limit);
    }

    private static IEnumerable<string> Values(IConfiguration configuration, string setting)
    {
        var section = configuration.GetSection(setting);
        var values = section.GetChildren().Select(child => child.Value).Prepend(section.Value);
        return values
            .SelectMany(value => (value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

using System.Text.RegularExpressions;

namespace MailServerAdmin.Web.OAuth;

/// <summary>Turns provider errors into an explanation and a fix.</summary>
public static partial class OAuthErrors
{
    public static OAuthException Explain(string error, string? description, string? redirectUri, Exception? inner = null)
    {
        description = string.IsNullOrWhiteSpace(description) ? error : description.Trim();
        var aadsts = AadstsCode().Match(description);
        var code = aadsts.Success ? aadsts.Groups[1].Value : null;

        var hint = (error, code) switch
        {
            (_, "50011" or "500112" or "500113") or ("redirect_uri_mismatch", _) =>
                $"Register exactly this redirect URI at the provider (scheme, host, port and path must match): {redirectUri}.",
            (_, "7000215" or "7000222") =>
                "The client secret is wrong or expired. In the Azure portal (Certificates & secrets) create a new secret and paste its Value, not its Secret ID.",
            (_, "700016") =>
                "The client ID is not known in this tenant. Check the Application (client) ID and the tenant.",
            (_, "65001") =>
                "Consent is missing: grant the SMTP.Send permission to the app (API permissions), then click Get Token again.",
            (_, "50076" or "50079") =>
                "The account needs multi-factor authentication: complete it at the sign-in page, then click Get Token again.",
            ("invalid_client", _) or ("unauthorized_client", _) =>
                "The provider rejected the client ID or client secret. Copy them again from the provider's console.",
            ("invalid_grant", _) =>
                "The authorization was refused or has expired (codes are single-use and short-lived). Click Get Token again.",
            ("invalid_scope", _) =>
                "The provider does not accept the scopes. Check the Scopes field against the provider's documentation.",
            ("access_denied", _) =>
                "Sign-in was cancelled or consent was refused at the provider. Click Get Token again and accept the requested permissions.",
            ("timeout", _) =>
                "The provider did not answer in time. Check the token URL and the network, then try again.",
            ("network", _) =>
                "The provider could not be reached. Check the token URL and the network, then try again.",
            _ => "Check the client ID, client secret, URLs and scopes, then click Get Token again.",
        };

        return new OAuthException(error, description, hint, inner);
    }

    public static OAuthException Timeout(TimeSpan limit, Exception inner) =>
        Explain("timeout", $"The token endpoint did not answer within {limit.TotalSeconds:0} seconds.", null, inner);

    public static OAuthException Unreachable(string description, Exception inner) =>
        Explain("network", description, null, inner);

    [GeneratedRegex(@"AADSTS(\d+)")]
    private static partial Regex AadstsCode();
}

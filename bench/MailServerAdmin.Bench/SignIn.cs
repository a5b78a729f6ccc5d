using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace MailServerAdmin.Bench;

/// <summary>Signs in through the real sign-in form once and prints the cookie that the load generator sends.</summary>
internal static partial class SignIn
{
    public static async Task<int> RunAsync(string[] args)
    {
        var baseUrl = new Uri(args[0]);
        using var handler = TrustingOnly(args[1]);
        handler.AllowAutoRedirect = false;
        using var client = new HttpClient(handler) { BaseAddress = baseUrl };
        var form = await client.GetStringAsync(new Uri("/Account/Login", UriKind.Relative));
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = Seed.AdminEmail,
            ["Input.Password"] = Seed.AdminPassword,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        });
        using var response = await client.PostAsync(new Uri("/Account/Login", UriKind.Relative), content);
        var cookie = handler.CookieContainer.GetCookies(baseUrl)["MailServerAdmin.Auth"];
        if (response.StatusCode != HttpStatusCode.Redirect || cookie is null)
        {
            await Console.Error.WriteLineAsync($"sign-in failed: {(int)response.StatusCode}");
            return 1;
        }

        // Every cookie a browser would send back: the sign-in and the antiforgery cookie (without it, every page would
        // make a new antiforgery cookie, which a browser does once).
        Console.WriteLine(string.Join("; ", handler.CookieContainer.GetCookies(baseUrl).Select(c => $"{c.Name}={c.Value}")));
        return 0;
    }

    /// <summary>A handler that accepts the bench's own self-signed certificate, and no other.</summary>
    public static HttpClientHandler TrustingOnly(string certificatePem)
    {
        using var expected = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePem));
        var thumbprint = expected.Thumbprint;
        return new HttpClientHandler
        {
            CookieContainer = new CookieContainer(),
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None || certificate?.Thumbprint == thumbprint,
        };
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

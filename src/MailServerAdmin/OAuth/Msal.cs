using System.Text.Json;
using Microsoft.Identity.Client;

namespace MailServerAdmin.OAuth;

/// <summary>What the two MSAL clients (delegated and app-only) share: their HTTP, and how a refusal is read.</summary>
internal static class Msal
{
    /// <summary>The provider's own error_description, without MSAL's preamble.</summary>
    public static string Description(MsalServiceException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (!string.IsNullOrEmpty(ex.ResponseBody))
        {
            try
            {
                using var body = JsonDocument.Parse(ex.ResponseBody);
                if (body.RootElement.TryGetProperty("error_description", out var description) && description.GetString() is { Length: > 0 } text)
                {
                    return text.Split(['\r', '\n'], 2)[0];
                }
            }
            catch (JsonException)
            {
                // Fall back to MSAL's message.
            }
        }

        return ex.Message;
    }

    /// <summary>MSAL's HTTP goes through the app's named client: the time limit applies, and tests can route it.</summary>
    public sealed class HttpClients(IHttpClientFactory factory, TimeSpan timeout) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient()
        {
            var client = factory.CreateClient(ManualOAuthClient.HttpClientName);
            client.Timeout = timeout;
            return client;
        }
    }
}

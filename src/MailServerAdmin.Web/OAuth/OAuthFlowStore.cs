using MailServerAdmin.OAuth;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Web.OAuth;

/// <summary>Keeps Get Token's state and drafts: encrypted, one-time where it matters, bound to the session.</summary>
public sealed class OAuthFlowStore(
    AppDbContext db, IDataProtectionProvider dataProtection, IHttpContextAccessor http, CurrentAdministrator administrator, TimeProvider time)
{
    public const string BindingCookie = "MailServerAdmin.OAuthBinding";
    public const string Purpose = "MailServerAdmin.OAuthFlow.v1";
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DraftLifetime = TimeSpan.FromMinutes(60);

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public async Task<string> SaveAsync<T>(OAuthFlowKind kind, string id, T payload, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.OAuthFlows.Where(f => f.ExpiresUtc < now.AddDays(-1)).ExecuteDeleteAsync(ct);
        db.OAuthFlows.Add(new OAuthFlow
        {
            Id = id,
            Kind = kind,
            UserId = administrator.UserId ?? "",
            BindingHash = Hash(EnsureBinding()),
            CreatedUtc = now,
            ExpiresUtc = now + (kind == OAuthFlowKind.Authorization ? StateLifetime : DraftLifetime),
            Payload = _protector.Protect(JsonSerializer.Serialize(payload)),
        });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>Reads a flow of this session; <paramref name="consume"/> makes it one-time, atomically.</summary>
    public async Task<FlowResult<T>> ReadAsync<T>(OAuthFlowKind kind, string? id, bool consume, CancellationToken ct)
    {
        var flow = string.IsNullOrEmpty(id) ? null : await db.OAuthFlows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && f.Kind == kind, ct);
        if (flow is null)
        {
            return new(FlowStatus.Unknown, default);
        }

        var binding = http.HttpContext?.Request.Cookies[BindingCookie];
        if (flow.UserId != administrator.UserId || binding is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(binding)), Encoding.ASCII.GetBytes(flow.BindingHash)))
        {
            return new(FlowStatus.OtherSession, default);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (flow.UsedUtc is not null)
        {
            return new(FlowStatus.Used, default);
        }

        if (flow.ExpiresUtc <= now)
        {
            return new(FlowStatus.Expired, default);
        }

        if (consume && await db.OAuthFlows.Where(f => f.Id == id && f.UsedUtc == null).ExecuteUpdateAsync(u => u.SetProperty(f => f.UsedUtc, now), ct) == 0)
        {
            return new(FlowStatus.Used, default);
        }

        try
        {
            return new(FlowStatus.Ok, JsonSerializer.Deserialize<T>(_protector.Unprotect(flow.Payload)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            // Its key is gone (or it was written by another version): as good as expired.
            return new(FlowStatus.Expired, default);
        }
    }

    public Task DeleteAsync(string id, CancellationToken ct) => db.OAuthFlows.Where(f => f.Id == id).ExecuteDeleteAsync(ct);

    /// <summary>The random value, in a session cookie, that ties flows to this browser session.</summary>
    private string EnsureBinding()
    {
        var context = http.HttpContext ?? throw new InvalidOperationException("Get Token needs a request.");
        var binding = context.Request.Cookies[BindingCookie];
        if (string.IsNullOrEmpty(binding))
        {
            binding = OAuthTokens.NewState();
            context.Response.Cookies.Append(BindingCookie, binding, new CookieOptions
            {
                HttpOnly = true,
                IsEssential = true,
                // Lax: sent on the provider's top-level redirect back to the callback.
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
            });
        }

        return binding;
    }

    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

public enum FlowStatus
{
    Ok,
    Unknown,
    Expired,
    Used,
    OtherSession,
}

public sealed record FlowResult<T>(FlowStatus Status, T? Payload);

using System.Globalization;
using System.Text;
using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.Identity;
using QRCoder;

namespace MailServerAdmin.Web.Administrators;

/// <summary>
/// What signed-in administrators change about their own sign-in: password, two-factor sign-in and recovery codes. Each
/// change is audited in the same transaction, and the security stamp it renews ends the administrator's other sessions
/// (this one is signed in again by the page).
/// </summary>
public sealed partial class AccountSecurity(
    UserManager<IdentityUser> users, AppDbContext db, AuditLog audit, ILogger<AccountSecurity> logger)
{
    public const int RecoveryCodeCount = 10;

    /// <summary>The error code of a refusal because the account is locked after failed attempts.</summary>
    public const string LockedOutCode = "LockedOut";

    private const string Issuer = "MailServerAdmin";

    /// <summary>Changes the password after checking the current one; a wrong one counts towards the lockout.</summary>
    public async Task<IdentityResult> ChangePasswordAsync(IdentityUser user, string currentPassword, string newPassword, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await users.IsLockedOutAsync(user))
        {
            return IdentityResult.Failed(new IdentityError { Code = LockedOutCode, Description = "The account is locked after failed attempts." });
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            {
                await transaction.RollbackAsync(ct);
                await CountFailureAsync(user);
            }

            return result;
        }

        audit.Record(AuditAction.PasswordChanged, null, null, detail: user.Email, administrator: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogPasswordChanged(logger, user.Id);
        return result;
    }

    /// <summary>The authenticator key to show while two-factor sign-in is being set up; made on first use.</summary>
    public async Task<AuthenticatorSetup> AuthenticatorSetupAsync(IdentityUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var key = await users.GetAuthenticatorKeyAsync(user);
        var newKey = string.IsNullOrEmpty(key);
        if (string.IsNullOrEmpty(key))
        {
            Check(await users.ResetAuthenticatorKeyAsync(user));
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key was made.");
        }

        var email = user.Email ?? user.UserName ?? user.Id;
        var uri = string.Create(
            CultureInfo.InvariantCulture,
            $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6");
        var png = PngByteQRCodeHelper.GetQRCode(uri, QRCodeGenerator.ECCLevel.M, 4, true);
        // The PNG's own width (IHDR, bytes 16-19), so that the page draws it pixel for pixel: a scaled code scans worse.
        var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        return new AuthenticatorSetup(FormatKey(key), uri, "data:image/png;base64," + Convert.ToBase64String(png), size, newKey);
    }

    /// <summary>Turns two-factor sign-in on once <paramref name="code"/> proves the app has the key; returns new recovery codes.</summary>
    public async Task<IReadOnlyList<string>?> EnableTwoFactorAsync(IdentityUser user, string code, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Normalize(code)))
        {
            return null;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToList()
            ?? throw new InvalidOperationException("No recovery codes were made.");
        audit.Record(AuditAction.TwoFactorEnabled, null, null, detail: user.Email, administrator: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogTwoFactorEnabled(logger, user.Id);
        return codes;
    }

    /// <summary>
    /// Turns two-factor sign-in off after checking the administrator's password or a code from their app (a wrong one
    /// counts towards the lockout); the key and the recovery codes are dropped, so that a new set-up starts afresh.
    /// </summary>
    public async Task<SecretCheck> DisableTwoFactorAsync(IdentityUser user, string passwordOrCode, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var check = await CheckPasswordOrCodeAsync(user, passwordOrCode);
        if (check != SecretCheck.Passed)
        {
            return check;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await TurnOffTwoFactorAsync(users, user);
        audit.Record(AuditAction.TwoFactorDisabled, null, null, detail: user.Email, administrator: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogTwoFactorDisabled(logger, user.Id);
        return SecretCheck.Passed;
    }

    /// <summary>Replaces the recovery codes with new ones (the old ones stop working).</summary>
    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(IdentityUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToList()
            ?? throw new InvalidOperationException("No recovery codes were made.");
        audit.Record(AuditAction.RecoveryCodesGenerated, null, null, detail: user.Email, administrator: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return codes;
    }

    /// <summary>Two-factor off, a new key nobody has seen, no recovery codes: a new set-up starts afresh.</summary>
    internal static async Task TurnOffTwoFactorAsync(UserManager<IdentityUser> users, IdentityUser user)
    {
        Check(await users.SetTwoFactorEnabledAsync(user, false));
        Check(await users.ResetAuthenticatorKeyAsync(user));
        _ = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
    }

    /// <summary>Groups of four, as authenticator apps show keys typed by hand.</summary>
    public static string FormatKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var result = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (i > 0)
            {
                result.Append(' ');
            }

            result.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }

        return result.ToString();
    }

    /// <summary>The code as typed, without the spaces and dashes people add.</summary>
    public static string Normalize(string? code) =>
        (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();

    private async Task<SecretCheck> CheckPasswordOrCodeAsync(IdentityUser user, string? passwordOrCode)
    {
        if (await users.IsLockedOutAsync(user))
        {
            return SecretCheck.LockedOut;
        }

        var code = Normalize(passwordOrCode);
        var passed = code.Length == 6 && code.All(char.IsAsciiDigit)
            ? await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code)
            : await users.CheckPasswordAsync(user, passwordOrCode ?? "");
        if (passed)
        {
            return SecretCheck.Passed;
        }

        return await CountFailureAsync(user) ? SecretCheck.LockedOut : SecretCheck.Wrong;
    }

    /// <summary>Counts a wrong password or code; true when the account is now locked.</summary>
    private async Task<bool> CountFailureAsync(IdentityUser user)
    {
        await users.AccessFailedAsync(user);
        if (!await users.IsLockedOutAsync(user))
        {
            return false;
        }

        LogLockedOut(logger, user.Id, user.LockoutEnd);
        return true;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Changing an administrator's sign-in failed: {string.Join("; ", result.Errors.Select(e => e.Code))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator {UserId} changed their password; their other sessions are ended")]
    private static partial void LogPasswordChanged(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator {UserId} turned two-factor sign-in on")]
    private static partial void LogTwoFactorEnabled(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator {UserId} turned two-factor sign-in off")]
    private static partial void LogTwoFactorDisabled(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator {UserId} is locked out until {LockoutEnd} after too many wrong passwords or codes")]
    private static partial void LogLockedOut(ILogger logger, string userId, DateTimeOffset? lockoutEnd);
}

/// <summary>
/// What the set-up page shows: the key in groups of four, the otpauth URI and its QR code as a PNG data: URI of
/// <paramref name="QrCodeSize"/> pixels square. A new key renews the security stamp (<paramref name="NewKey"/>): the page
/// signs its session in again.
/// </summary>
public sealed record AuthenticatorSetup(string FormattedKey, string Uri, string QrCodeDataUri, int QrCodeSize, bool NewKey);

public enum SecretCheck
{
    Passed,
    Wrong,
    LockedOut,
}

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Administrators;

/// <summary>
/// Sign-in with an e-mail and a password that tells nobody whether an address is an administrator's: an unknown address,
/// a wrong password and a locked account are refused alike, and each costs one password hash, so that the answer takes
/// about as long. The lockout (five wrong passwords, fifteen minutes) still holds, and is logged with the user id.
/// </summary>
public sealed partial class PasswordSignIn(SignInManager<IdentityUser> signIn, DummyPassword dummy, ILogger<PasswordSignIn> logger)
{
    public async Task<PasswordSignInResult> SignInAsync(string email, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var users = signIn.UserManager;
        var user = await users.FindByEmailAsync(email);
        if (user is null || !await users.HasPasswordAsync(user))
        {
            // No such administrator, or one who only signs in through single sign-on: the same work, the same answer.
            dummy.Verify(password);
            return PasswordSignInResult.Refused;
        }

        if (await users.IsLockedOutAsync(user))
        {
            dummy.Verify(password);
            LogStillLockedOut(logger, user.Id, user.LockoutEnd);
            return PasswordSignInResult.Refused;
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return PasswordSignInResult.SignedIn;
        }

        if (result.RequiresTwoFactor)
        {
            return PasswordSignInResult.TwoFactorRequired;
        }

        if (result.IsLockedOut)
        {
            LogLockedOut(logger, user.Id, user.LockoutEnd);
        }

        return PasswordSignInResult.Refused;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in refused: administrator {UserId} is locked out until {LockoutEnd}")]
    private static partial void LogStillLockedOut(ILogger logger, string userId, DateTimeOffset? lockoutEnd);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator {UserId} is locked out until {LockoutEnd} after too many wrong passwords")]
    private static partial void LogLockedOut(ILogger logger, string userId, DateTimeOffset? lockoutEnd);
}

public enum PasswordSignInResult
{
    SignedIn,
    TwoFactorRequired,
    Refused,
}

/// <summary>A password hash nobody has, checked when there is no real one to check, with the app's hashing cost.</summary>
public sealed class DummyPassword
{
    private static readonly IdentityUser Nobody = new() { UserName = "nobody" };

    private readonly PasswordHasher<IdentityUser> _hasher;
    private readonly Lazy<string> _hash;

    public DummyPassword(IOptions<PasswordHasherOptions> options)
    {
        _hasher = new PasswordHasher<IdentityUser>(options);
        _hash = new Lazy<string>(() => _hasher.HashPassword(Nobody, Guid.NewGuid().ToString("N")));
    }

    public void Verify(string password) => _ = _hasher.VerifyHashedPassword(Nobody, _hash.Value, password);
}

using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Web.Administrators;

/// <summary>
/// Adds, removes and resets administrators; nobody removes or resets themselves, and the last one stays. A reset renews
/// the administrator's security stamp, which ends their sessions at their next request.
/// </summary>
public sealed partial class AdministratorService(
    UserManager<IdentityUser> users, AppDbContext db, AuditLog audit, CurrentAdministrator current, ILogger<AdministratorService> logger)
{
    public Task<List<AdministratorItem>> ListAsync(CancellationToken ct = default) =>
        users.Users.AsNoTracking()
            .OrderBy(u => u.NormalizedEmail)
            .Select(u => new AdministratorItem(u.Id, u.Email ?? u.UserName ?? "", u.LockoutEnd, u.TwoFactorEnabled))
            .ToListAsync(ct);

    public Task<AdministratorItem?> FindAsync(string id, CancellationToken ct = default) =>
        users.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new AdministratorItem(u.Id, u.Email ?? u.UserName ?? "", u.LockoutEnd, u.TwoFactorEnabled))
            .SingleOrDefaultAsync(ct);

    public async Task<IdentityResult> AddAsync(string email, string password, string? addedBy = null, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            return result;
        }

        audit.Record(AuditAction.AdministratorAdded, null, null, detail: email, administrator: addedBy);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    public async Task<RemoveResult> RemoveAsync(string id, CancellationToken ct = default)
    {
        if (id == current.UserId)
        {
            return RemoveResult.Self;
        }

        // One transaction: two administrators removing each other at once cannot leave none.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return RemoveResult.NotFound;
        }

        if (await users.Users.CountAsync(ct) <= 1)
        {
            return RemoveResult.Last;
        }

        var result = await users.DeleteAsync(user);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Removing an administrator failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }

        audit.Record(AuditAction.AdministratorRemoved, null, null, detail: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return RemoveResult.Removed;
    }

    /// <summary>
    /// Sets another administrator's password to <paramref name="newPassword"/> (Identity's password rules apply), lifts a
    /// lockout and ends their sessions.
    /// </summary>
    public async Task<(ResetResult Result, IdentityResult Identity)> ResetPasswordAsync(string id, string newPassword, CancellationToken ct = default)
    {
        if (id == current.UserId)
        {
            return (ResetResult.Self, IdentityResult.Success);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return (ResetResult.NotFound, IdentityResult.Success);
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, newPassword);
        if (!result.Succeeded)
        {
            return (ResetResult.Invalid, result);
        }

        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        audit.Record(AuditAction.PasswordReset, null, null, detail: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogPasswordReset(logger, user.Id, current.UserId);
        return (ResetResult.Done, result);
    }

    /// <summary>Turns another administrator's two-factor sign-in off (key and recovery codes dropped) and ends their sessions.</summary>
    public async Task<ResetResult> ResetTwoFactorAsync(string id, CancellationToken ct = default)
    {
        if (id == current.UserId)
        {
            return ResetResult.Self;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return ResetResult.NotFound;
        }

        await AccountSecurity.TurnOffTwoFactorAsync(users, user);
        audit.Record(AuditAction.TwoFactorReset, null, null, detail: user.Email);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogTwoFactorReset(logger, user.Id, current.UserId);
        return ResetResult.Done;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Resetting an administrator failed: {string.Join("; ", result.Errors.Select(e => e.Code))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The password of administrator {UserId} was reset by administrator {ResetBy}; their sessions are ended")]
    private static partial void LogPasswordReset(ILogger logger, string userId, string? resetBy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The two-factor sign-in of administrator {UserId} was reset by administrator {ResetBy}; their sessions are ended")]
    private static partial void LogTwoFactorReset(ILogger logger, string userId, string? resetBy);
}

public sealed record AdministratorItem(string Id, string Email, DateTimeOffset? LockoutEnd, bool TwoFactorEnabled = false);

public enum ResetResult
{
    Done,
    NotFound,
    Self,
    Invalid,
}

public enum RemoveResult
{
    Removed,
    NotFound,
    Self,
    Last,
}

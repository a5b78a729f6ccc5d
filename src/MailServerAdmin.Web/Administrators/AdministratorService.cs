using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Web.Administrators;

/// <summary>Adds and removes administrators; nobody removes themselves, and the last one stays.</summary>
public sealed class AdministratorService(
    UserManager<IdentityUser> users, AppDbContext db, AuditLog audit, CurrentAdministrator current)
{
    public Task<List<AdministratorItem>> ListAsync(CancellationToken ct = default) =>
        users.Users.AsNoTracking()
            .OrderBy(u => u.NormalizedEmail)
            .Select(u => new AdministratorItem(u.Id, u.Email ?? u.UserName ?? "", u.LockoutEnd))
            .ToListAsync(ct);

    public Task<AdministratorItem?> FindAsync(string id, CancellationToken ct = default) =>
        users.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new AdministratorItem(u.Id, u.Email ?? u.UserName ?? "", u.LockoutEnd))
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
}

public sealed record AdministratorItem(string Id, string Email, DateTimeOffset? LockoutEnd);

public enum RemoveResult
{
    Removed,
    NotFound,
    Self,
    Last,
}

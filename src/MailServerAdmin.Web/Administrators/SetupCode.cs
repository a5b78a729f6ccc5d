using System.Security.Cryptography;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Administrators;

/// <summary>
/// The one-time codes that let the first administrator be created. While no administrator exists, every instance that
/// starts writes a code of its own to its console log, so that only whoever can read a server's log can claim the
/// installation. The database keeps only their hashes (Identity's password hasher), so a code works on every instance
/// that shares the database, and a copy of the database reveals none. The first administrator spends them all.
/// </summary>
public sealed partial class SetupCode(AppDbContext db, IOptions<PasswordHasherOptions> hashing, TimeProvider time, ILogger<SetupCode> logger)
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private readonly PasswordHasher<PendingSetupCode> _hasher = new(hashing);

    /// <summary>At start: when no administrator exists, makes a code, stores its hash and logs it.</summary>
    public static async Task AnnounceIfNeededAsync(IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SetupCode>().AnnounceAsync(ct);
    }

    /// <summary>No administrator exists yet: the set-up page is open.</summary>
    public Task<bool> IsPendingAsync(CancellationToken ct = default) => NoAdministratorAsync(ct);

    /// <summary>
    /// Checks <paramref name="candidate"/> against the stored codes and, when it is one of them, spends them all, in one
    /// transaction: of two requests on any instances, one redeems and the other finds the codes spent.
    /// </summary>
    public async Task<SetupRedemption> RedeemAsync(string? candidate, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await NoAdministratorAsync(ct))
        {
            return SetupRedemption.AlreadyDone;
        }

        var codes = await db.SetupCodes.AsNoTracking().ToListAsync(ct);
        if (codes.Count == 0)
        {
            // Every start writes one while no administrator exists: they were spent by a set-up that is finishing.
            return SetupRedemption.AlreadyDone;
        }

        var normalized = Normalize(candidate);
        var match = normalized is null ? null : codes.FirstOrDefault(c => _hasher.VerifyHashedPassword(c, c.Hash, normalized) != PasswordVerificationResult.Failed);
        if (match is null)
        {
            return SetupRedemption.Wrong;
        }

        await db.SetupCodes.ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return SetupRedemption.Redeemed(match);
    }

    /// <summary>The first administrator could not be created after all: the code that was redeemed works again.</summary>
    public async Task RestoreAsync(SetupRedemption redemption, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(redemption);
        if (redemption.Code is { } code && await NoAdministratorAsync(ct))
        {
            db.SetupCodes.Add(new PendingSetupCode { Hash = code.Hash, CreatedUtc = code.CreatedUtc });
            await db.SaveChangesAsync(ct);
        }
    }

    private async Task AnnounceAsync(CancellationToken ct)
    {
        // Every start asks; plain SQL spares the start an EF query compilation.
        if (await StartupChecks.AnyAsync(db, """SELECT 1 FROM "AspNetUsers" """, ct))
        {
            return;
        }

        var code = NewCode();
        var stored = new PendingSetupCode { CreatedUtc = time.GetUtcNow().UtcDateTime };
        stored.Hash = _hasher.HashPassword(stored, code);
        db.SetupCodes.Add(stored);
        await db.SaveChangesAsync(ct);
        LogSetupCode(logger, code);
    }

    private async Task<bool> NoAdministratorAsync(CancellationToken ct) => !await db.Users.AnyAsync(ct);

    private static string? Normalize(string? candidate) =>
        string.IsNullOrWhiteSpace(candidate) ? null : candidate.Trim().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    private static string NewCode()
    {
        // 16 characters from a 32-letter alphabet: 80 bits, shown in groups of four.
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 16);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No administrator exists yet. Open /setup in a browser and enter this one-time set-up code to create the first administrator: {SetupCode}")]
    private static partial void LogSetupCode(ILogger logger, string setupCode);
}

/// <summary>What became of a set-up code that was entered.</summary>
public sealed class SetupRedemption
{
    private SetupRedemption(bool succeeded, bool done, PendingSetupCode? code)
    {
        Succeeded = succeeded;
        Done = done;
        Code = code;
    }

    /// <summary>An administrator exists already: set-up is over.</summary>
    public static SetupRedemption AlreadyDone { get; } = new(false, true, null);

    /// <summary>The code is none of the stored ones.</summary>
    public static SetupRedemption Wrong { get; } = new(false, false, null);

    public bool Succeeded { get; }

    public bool Done { get; }

    internal PendingSetupCode? Code { get; }

    internal static SetupRedemption Redeemed(PendingSetupCode code) => new(true, false, code);
}

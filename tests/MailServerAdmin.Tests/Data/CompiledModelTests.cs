using System.Globalization;
using MailServerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MailServerAdmin.Tests.Data;

/// <summary>
/// The app runs on the compiled models (scripts/compiled-model.sh), not on the model the entity configurations build: a
/// configuration changed without regenerating them must fail here, not in production. No database is needed.
/// </summary>
public sealed class CompiledModelTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public void The_compiled_model_is_the_model_the_entity_configurations_build(DatabaseProvider provider)
    {
        using var built = Context(provider, compiled: false);
        using var compiled = Context(provider, compiled: true);
        Assert.Same(DatabaseSettings.CompiledModelOf(provider), compiled.Model);

        // EF's migrations differ cannot compare them: a read-optimized model (the compiled one, and the runtime model built
        // from the configurations) holds no design-time configuration. What the runtime model holds is compared instead.
        var configured = Describe(built.Model).Concat(DescribeTables(built.Model)).ToList();
        var generated = Describe(compiled.Model).Concat(DescribeTables(compiled.Model)).ToList();
        var differences = configured.Except(generated).Select(line => $"configured: {line}")
            .Concat(generated.Except(configured).Select(line => $"compiled:   {line}"))
            .ToList();
        Assert.True(differences.Count == 0,
            $"The compiled {provider} model is not what the entity configurations build: run scripts/compiled-model.sh regenerate.\n{string.Join('\n', differences)}");
    }

    [Fact]
    public void The_two_providers_have_their_own_compiled_models()
    {
        Assert.NotSame(DatabaseSettings.CompiledModelOf(DatabaseProvider.Sqlite), DatabaseSettings.CompiledModelOf(DatabaseProvider.Postgres));
        using var sqlite = Context(DatabaseProvider.Sqlite, compiled: false);
        using var postgres = Context(DatabaseProvider.Postgres, compiled: false);
        Assert.NotEqual(Describe(sqlite.Model), Describe(postgres.Model));
    }

    private static AppDbContext Context(DatabaseProvider provider, bool compiled)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        if (provider == DatabaseProvider.Postgres)
        {
            DatabaseSettings.UsePostgres(options, "Host=localhost;Database=compiled_model_check");
        }
        else
        {
            options.UseSqlite("Data Source=:memory:");
        }

        if (compiled)
        {
            options.UseModel(DatabaseSettings.CompiledModelOf(provider));
        }

        return new AppDbContext(options.Options);
    }

    /// <summary>What queries, saves and the database's constraints depend on, one line per item, in a stable order.</summary>
    private static List<string> Describe(IModel model)
    {
        var lines = new List<string>();
        foreach (var entity in model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var table = $"{entity.Name} -> {entity.GetSchema()}.{entity.GetTableName()}";
            lines.Add($"{table} filters={entity.GetDeclaredQueryFilters().Count} tracking={entity.GetChangeTrackingStrategy()}");
            var storeObject = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            foreach (var p in entity.GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{table} property {p.Name}: {p.ClrType} column={p.GetColumnName(storeObject)} null={p.IsNullable} max={p.GetMaxLength()} "
                    + $"unicode={p.IsUnicode()} generated={p.ValueGenerated} concurrency={p.IsConcurrencyToken} sentinel={p.Sentinel} "
                    + $"converter={p.GetTypeMapping().Converter?.GetType()} provider={p.GetProviderClrType()} mapping={p.GetRelationalTypeMapping().StoreType} "
                    + $"before={p.GetBeforeSaveBehavior()} after={p.GetAfterSaveBehavior()}"));
            }

            lines.AddRange(entity.GetKeys().Select(k => $"{table} key {string.Join(",", k.Properties.Select(p => p.Name))} primary={k.IsPrimaryKey()}"));
            lines.AddRange(entity.GetForeignKeys().Select(f =>
                $"{table} fk {string.Join(",", f.Properties.Select(p => p.Name))} -> {f.PrincipalEntityType.Name} required={f.IsRequired} delete={f.DeleteBehavior} unique={f.IsUnique}"));
            lines.AddRange(entity.GetIndexes().Select(i =>
                $"{table} index {i.GetDatabaseName()} ({string.Join(",", i.Properties.Select(p => p.Name))}) unique={i.IsUnique}"));
            lines.AddRange(entity.GetNavigations().Select(n => $"{table} navigation {n.Name} -> {n.TargetEntityType.Name}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>The tables, as the runtime model maps them: columns and their store types, keys, indexes, foreign keys.</summary>
    private static List<string> DescribeTables(IModel model)
    {
        var lines = new List<string>();
        foreach (var table in model.GetRelationalModel().Tables)
        {
            var name = $"{table.Schema}.{table.Name}";
            lines.AddRange(table.Columns.Select(c => $"{name} column {c.Name} {c.StoreType} null={c.IsNullable} provider={c.ProviderClrType}"));
            lines.AddRange(table.UniqueConstraints.Select(u => $"{name} unique {u.Name} ({string.Join(",", u.Columns.Select(c => c.Name))}) primary={u.GetIsPrimaryKey()}"));
            lines.AddRange(table.Indexes.Select(i => $"{name} index {i.Name} ({string.Join(",", i.Columns.Select(c => c.Name))}) unique={i.IsUnique}"));
            lines.AddRange(table.ForeignKeyConstraints.Select(f =>
                $"{name} fk {f.Name} ({string.Join(",", f.Columns.Select(c => c.Name))}) -> {f.PrincipalTable.Name} delete={f.OnDeleteAction}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

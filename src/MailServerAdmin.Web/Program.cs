using FluentValidation;
using FluentValidation.AspNetCore;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin;
using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.Web.Faults;
using MailServerAdmin.Web.Hosting;
using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Web.Localization;
using MailServerAdmin.Web.Security;
using MailServerAdmin.Web.Validation;

var builder = WebApplication.CreateBuilder(args);

// Every documented setting is checked before anything is registered: a value the app cannot use stops it here, by name.
var problems = SettingsCheck.Run(builder.Configuration, builder.Environment);
if (problems.Count > 0)
{
    await Console.Error.WriteLineAsync(SettingsCheck.Describe(problems));
    return 1;
}

// The audit log names the signed-in administrator (the library's default is the system).
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<CurrentAdministrator>();
builder.Services.AddScoped<IAuditActor>(sp => sp.GetRequiredService<CurrentAdministrator>());
builder.AddMailServers().WithTokenRefresher().WithWarmUpAfterStart();
builder.AddAdminAccess();
builder.Services.AddGetTokenFlow(builder.Configuration);
builder.Services.AddScoped<MailServerAdmin.Web.Pages.MailServers.MailServerForm>();
builder.Services.AddReverseProxySupport(ForwardedHeadersSettings.Read(builder.Configuration, []));
builder.Services.AddHealthEndpoints();

builder.Services.AddAppLocalization();
builder.Services.AddRazorPages().AddAppLocalization();
builder.Services.AddStorageFaults();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.AddFluentValidationClientsideAdapters();
builder.Services.AddFormBinding();

var app = builder.Build();

// "MailServerAdmin.Web migrate": the deploy step that brings the database up to date, then exits. Disposing the app
// before an early exit flushes the log.
if (DatabaseStart.IsMigrateCommand(args))
{
    var migrated = await DatabaseStart.MigrateAsync(app);
    await app.DisposeAsync();
    return migrated;
}

app.LogStorageAtStart();
if (!await DatabaseStart.PrepareAsync(app))
{
    await app.DisposeAsync();
    return 1;
}

// "--demo": loads a small demo data set into an empty database, then exits (README, "Run the app").
if (args.Contains("--demo"))
{
    var demo = await MailServerAdmin.Web.Hosting.DemoData.RunAsync(app.Services);
    await app.DisposeAsync();
    return demo;
}

app.PrepareKeyRing();
await SetupCode.AnnounceIfNeededAsync(app.Services);
app.LogProxyAtStart();

// The scheme, host and client address from a configured reverse proxy, before anything looks at them.
app.UseForwardedHeaders();
app.UseSecurityHeaders();
// Probes come over plain HTTP, without cookies: answered before the HTTPS redirect and sign-in.
app.UseHealthEndpoints();
app.UseRequestLocalization();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
    app.UseHttpsRedirection();
    // What is still plain HTTP (no HTTPS port to redirect to, no trusted proxy) gets a page that says what to set.
    app.UseHttpsOnlyExplained();
}

// Inside the exception handler: a database that cannot be written or read gets its own 503 page, not the generic one.
app.UseStorageFaults();
// 404 and other status codes without a page of their own: a page inside the layout, in the reader's language.
app.UseStatusCodePagesWithReExecute("/status/{0}");
app.UseCookiePolicy();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseTwoFactorRequirement();

app.MapStaticAssets().AllowAnonymous();
app.MapRazorPages().WithStaticAssets();
app.MapGet("/", () => Results.Redirect("/MailServers"));
app.MapCulturePicker();

await app.RunAsync();
return 0;

/// <summary>The web app's entry point; public so that tests can host it.</summary>
public partial class Program;

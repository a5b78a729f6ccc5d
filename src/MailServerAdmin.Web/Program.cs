using FluentValidation;
using FluentValidation.AspNetCore;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin;
using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.Web.Faults;
using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Web.Localization;
using MailServerAdmin.Web.Security;
using MailServerAdmin.Web.Validation;

var builder = WebApplication.CreateBuilder(args);

// The audit log names the signed-in administrator (the library's default is the system).
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<CurrentAdministrator>();
builder.Services.AddScoped<IAuditActor>(sp => sp.GetRequiredService<CurrentAdministrator>());
builder.AddMailServers().WithTokenRefresher();
builder.AddAdminAccess();
builder.Services.AddGetTokenFlow(builder.Configuration);
builder.Services.AddScoped<MailServerAdmin.Web.Pages.MailServers.MailServerForm>();

builder.Services.AddAppLocalization();
builder.Services.AddRazorPages().AddAppLocalization();
builder.Services.AddStorageFaults();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.AddFluentValidationClientsideAdapters();
builder.Services.AddFormBinding();

var app = builder.Build();

await app.MigrateDatabaseAsync();
if (args.Contains("--demo"))
{
    Environment.ExitCode = await MailServerAdmin.Web.Hosting.DemoData.RunAsync(app.Services);
    return;
}

await app.Services.GetRequiredService<SetupCode>().AnnounceIfNeededAsync(app.Services);

app.UseSecurityHeaders();
app.UseRequestLocalization();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
    app.UseHttpsRedirection();
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

/// <summary>The web app's entry point; public so that tests can host it.</summary>
public partial class Program;

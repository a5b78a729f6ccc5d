using FluentValidation;
using FluentValidation.AspNetCore;
using MailServerAdmin.Web.Data;
using MailServerAdmin.Web.MailServers;

var builder = WebApplication.CreateBuilder(args);

builder.AddAppDatabase();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<MailServerStore>();

builder.Services.AddRazorPages();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.AddFluentValidationClientsideAdapters();

var app = builder.Build();

await app.MigrateDatabaseAsync();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
}

app.UseStatusCodePages();
app.UseRouting();
app.UseAuthorization();

app.MapStaticAssets();
app.MapRazorPages().WithStaticAssets();
app.MapGet("/", () => Results.Redirect("/MailServers"));

await app.RunAsync();

/// <summary>The web app's entry point; public so that tests can host it.</summary>
public partial class Program;

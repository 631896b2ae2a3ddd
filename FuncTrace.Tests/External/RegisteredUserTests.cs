using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.External.ExternalClients;

namespace FuncTrace.Tests.External;

public sealed class RegisteredUserTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ATenantAdminKeyRegistersListsAndRemovesEmailsOfItsOwnTenantCaseInsensitively()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var admin = app.ClientWithKey(await app.CreateKeyAsync(tenant, "admin"));

        using var created = await admin.PostAsJsonAsync("/api/admin/users", new { email = "Eve@Example.COM" });
        using var again = await admin.PostAsJsonAsync("/api/admin/users", new { email = "eve@example.com" });
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/admin/users");
        using var removed = await admin.DeleteAsync("/api/admin/users/EVE@example.com");
        using var removedAgain = await admin.DeleteAsync("/api/admin/users/eve@example.com");

        var body = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        Assert.Equal(["tenant", "email", "created_at"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("eve@example.com", body.GetProperty("email").GetString());
        Assert.Equal(tenant, body.GetProperty("tenant").GetString());
        var replay = await ApiAssert.JsonAsync(again, HttpStatusCode.OK);
        Assert.Equal(body.GetProperty("created_at").GetDateTimeOffset(), replay.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal(["eve@example.com"], list.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("email").GetString()));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("next_cursor").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var missing = await ApiAssert.ErrorAsync(removedAgain, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("'eve@example.com' is not registered.", missing.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnUnregisteredEmailCanNoLongerSubmitTraces()
    {
        var tenant = FuncTraceApp.NewTenant();
        await RegisterAsync(app, tenant, "gone@example.com");
        using var ingest = PythonClient(app, await app.CreateKeyAsync(tenant, "ingest"));
        const string trace = """{"email": "gone@example.com", "message": "hi", "metadata": {"chatId": "c"}}""";
        await SubmitAsync(ingest, trace);
        using var admin = app.AdminClient();

        using var removed = await admin.DeleteAsync($"/api/admin/users/gone@example.com?tenant={tenant}");
        using var refused = await ingest.PostAsync("/api/external/trace/submit", Json(trace));

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.False((await ApiAssert.JsonAsync(refused, HttpStatusCode.OK)).GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task TheListIsPagedInOrderWithACursor()
    {
        var tenant = FuncTraceApp.NewTenant();
        foreach (var name in new[] { "c", "a", "e", "b", "d" })
        {
            await RegisterAsync(app, tenant, $"{name}@example.com");
        }
        using var admin = app.AdminClient();

        var first = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users?tenant={tenant}&limit=2");
        var second = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users?tenant={tenant}&limit=2&cursor={first.GetProperty("next_cursor").GetString()}");
        var third = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users?tenant={tenant}&limit=2&cursor={second.GetProperty("next_cursor").GetString()}");
        using var badCursor = await admin.GetAsync($"/api/admin/users?tenant={tenant}&cursor=not-a-cursor");
        using var badLimit = await admin.GetAsync($"/api/admin/users?tenant={tenant}&limit=0");

        static IEnumerable<string?> Emails(JsonElement page) => page.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("email").GetString());
        Assert.Equal(["a@example.com", "b@example.com"], Emails(first));
        Assert.Equal(["c@example.com", "d@example.com"], Emails(second));
        Assert.Equal(["e@example.com"], Emails(third));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next_cursor").ValueKind);
        await ApiAssert.ErrorAsync(badCursor, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(badLimit, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AnotherTenantNeverSeesOrUsesTheseEmails()
    {
        var tenantA = FuncTraceApp.NewTenant();
        var tenantB = FuncTraceApp.NewTenant();
        using var adminA = app.ClientWithKey(await app.CreateKeyAsync(tenantA, "admin"));
        using var adminB = app.ClientWithKey(await app.CreateKeyAsync(tenantB, "admin"));
        using var registered = await adminA.PostAsJsonAsync("/api/admin/users", new { email = "frank@example.com" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var listB = await adminB.GetFromJsonAsync<JsonElement>("/api/admin/users");
        using var forbidden = await adminB.GetAsync($"/api/admin/users?tenant={tenantA}");
        using var registerIntoA = await adminB.PostAsJsonAsync("/api/admin/users", new { tenant = tenantA, email = "mallory@example.com" });
        using var deleteFromB = await adminB.DeleteAsync("/api/admin/users/frank@example.com");
        using var ingestB = PythonClient(app, await app.CreateKeyAsync(tenantB, "ingest"));
        using var submitB = await ingestB.PostAsync("/api/external/trace/submit", Json("""{"email": "frank@example.com", "message": "hi", "metadata": {"chatId": "c"}}"""));

        Assert.Empty(listB.GetProperty("users").EnumerateArray());
        await ApiAssert.ErrorAsync(forbidden, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(registerIntoA, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(deleteFromB, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("Invalid email: not registered in system", (await ApiAssert.JsonAsync(submitB, HttpStatusCode.OK)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("two@@example.com")]
    [InlineData("a b@example.com")]
    [InlineData("nodot@localhost")]
    [InlineData("Alice <alice@example.com>")]
    [InlineData("")]
    public async Task AnInvalidEmailIsAValidationError(string email)
    {
        using var admin = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));

        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { email });
        using var delete = await admin.DeleteAsync($"/api/admin/users/{Uri.EscapeDataString(email.Length == 0 ? "x" : email)}");

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("email", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        await ApiAssert.ErrorAsync(delete, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AnEmailOfTheWrongTypeIsAValidationError()
    {
        using var admin = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));

        using var response = await admin.PostAsync("/api/admin/users", Json("""{"email": ["a@example.com"]}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task TheBootstrapAdminMustNameTheTenant()
    {
        using var admin = app.AdminClient();

        using var register = await admin.PostAsJsonAsync("/api/admin/users", new { email = "g@example.com" });
        using var list = await admin.GetAsync("/api/admin/users");
        using var badTenant = await admin.PostAsJsonAsync("/api/admin/users", new { tenant = "a/b", email = "g@example.com" });

        await ApiAssert.ErrorAsync(register, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(list, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(badTenant, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AnIngestKeyCannotManageEmails()
    {
        using var ingest = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var register = await ingest.PostAsJsonAsync("/api/admin/users", new { email = "h@example.com" });
        using var list = await ingest.GetAsync("/api/admin/users");
        using var remove = await ingest.DeleteAsync("/api/admin/users/h@example.com");

        await ApiAssert.ErrorAsync(register, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(list, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(remove, HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}

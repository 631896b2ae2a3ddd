using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

public sealed class AdminKeyTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task CreatingAKeyAnswers201WithTheKeyShownOnceAndItsId()
    {
        using var admin = app.AdminClient();
        var tenant = FuncTraceApp.NewTenant();

        using var response = await admin.PostAsJsonAsync("/api/admin/keys", new { tenant, roles = new[] { "ingest", "review" }, name = "ci" });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.StartsWith("ftk_", body.GetProperty("key").GetString());
        Assert.StartsWith("key_", body.GetProperty("id").GetString());
        Assert.Equal(tenant, body.GetProperty("tenant").GetString());
        Assert.Equal(["ingest", "review"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task ListingKeysShowsIdsNamesAndRolesButNeverTheKey()
    {
        var tenant = FuncTraceApp.NewTenant();
        var key = await app.CreateKeyAsync(tenant, "ingest");
        using var admin = app.AdminClient();

        var text = await admin.GetStringAsync($"/api/admin/keys?tenant={tenant}");

        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.Contains("\"roles\":[\"ingest\"]", text, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"test\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheKeysTableHoldsNoKeyInClear()
    {
        var key = await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");

        var everyValue = new StringBuilder();
        await foreach (var row in app.Table(StorageNames.KeysTable).QueryAsync<TableEntity>())
        {
            everyValue.Append(row.PartitionKey).Append(row.RowKey);
            foreach (var (_, value) in row)
            {
                everyValue.Append(value);
            }
        }

        Assert.True(everyValue.Length > 0);
        Assert.DoesNotContain(key, everyValue.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key["ftk_".Length..], everyValue.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokingAKeyTakesEffectOnTheNextRequest()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var admin = app.AdminClient();
        using var created = await admin.PostAsJsonAsync("/api/admin/keys", new { tenant, roles = new[] { "admin" } });
        var body = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        using var tenantAdmin = app.ClientWithKey(body.GetProperty("key").GetString());
        using var before = await tenantAdmin.GetAsync("/api/admin/keys");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        using var revoke = await admin.DeleteAsync($"/api/admin/keys/{body.GetProperty("id").GetString()}");
        using var after = await tenantAdmin.GetAsync("/api/admin/keys");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await ApiAssert.ErrorAsync(after, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task ATenantAdminKeyCannotSeeOrRevokeAnotherTenantsKeys()
    {
        var tenantA = FuncTraceApp.NewTenant();
        var tenantB = FuncTraceApp.NewTenant();
        using var adminA = app.ClientWithKey(await app.CreateKeyAsync(tenantA, "admin"));
        using var bootstrap = app.AdminClient();
        using var createdB = await bootstrap.PostAsJsonAsync("/api/admin/keys", new { tenant = tenantB, roles = new[] { "ingest" } });
        var keyB = await ApiAssert.JsonAsync(createdB, HttpStatusCode.Created);

        using var list = await adminA.GetAsync($"/api/admin/keys?tenant={tenantB}");
        using var revoke = await adminA.DeleteAsync($"/api/admin/keys/{keyB.GetProperty("id").GetString()}");
        using var create = await adminA.PostAsJsonAsync("/api/admin/keys", new { tenant = tenantB, roles = new[] { "ingest" } });
        var ownList = await adminA.GetStringAsync("/api/admin/keys");

        await ApiAssert.ErrorAsync(list, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(revoke, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(create, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Contains(tenantA, ownList, StringComparison.Ordinal);
        Assert.DoesNotContain(tenantB, ownList, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyIsAcceptedAsABearerToken()
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));

        using var response = await client.GetAsync("/api/admin/keys");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("review")]
    public async Task KeysWithoutTheAdminRoleAreForbiddenFromKeyManagement(string role)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), role));

        using var response = await client.GetAsync("/api/admin/keys");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task NoKeyAndAnUnknownKeyAreUnauthorized()
    {
        using var anonymous = app.ClientWithKey(null);
        using var unknown = app.ClientWithKey("ftk_not-a-real-key");

        var none = await ApiAssert.ErrorAsync(await anonymous.GetAsync("/api/admin/keys"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(await unknown.GetAsync("/api/admin/keys"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Contains("X-API-Key", none.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"roles":["ingest"]}""", "tenant")]
    [InlineData("""{"tenant":"t1","roles":[]}""", "roles")]
    [InlineData("""{"tenant":"t1"}""", "roles")]
    [InlineData("""{"tenant":"t1","roles":["superuser"]}""", "roles")]
    [InlineData("""{"tenant":"bad/tenant","roles":["ingest"]}""", "tenant")]
    [InlineData("""{"tenant":"..","roles":["ingest"]}""", "tenant")]
    [InlineData("""{"tenant":"t1","roles":"ingest"}""", "roles")]
    [InlineData("""{"tenant":42,"roles":["ingest"]}""", "tenant")]
    public async Task InvalidKeyRequestsAreRejectedNamingTheField(string json, string field)
    {
        using var admin = app.AdminClient();

        using var response = await admin.PostAsync("/api/admin/keys", new StringContent(json, Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task RevokingAnUnknownKeyIsNotFound()
    {
        using var admin = app.AdminClient();

        using var response = await admin.DeleteAsync("/api/admin/keys/key_0000000000000000");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }
}

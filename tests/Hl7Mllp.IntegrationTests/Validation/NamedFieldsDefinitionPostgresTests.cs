using System.Data.Common;
using Hl7Mllp.IntegrationTests.Testing;
using Hl7Mllp.Testing.Postgres;
using Hl7Mllp.Validation;
using Npgsql;

namespace Hl7Mllp.IntegrationTests.Validation;

/// <summary>The Named Fields query cases on a throwaway PostgreSQL server (a database of its own per test).</summary>
[Collection(PostgresCollection.Name)]
public sealed class NamedFieldsDefinitionPostgresTests(PostgresCluster cluster) : NamedFieldsDefinitionQueryTests
{
    protected override string TextColumnType => "text";

    protected override string BytesQuery => "SELECT convert_to(definition, 'UTF8') FROM named_fields WHERE name = 'v2.5.1'";

    protected override string InvalidUtf8Query => "SELECT '\\xfffe41'::bytea";

    [SkippableFact]
    public async Task LoadFromQueryAsync_JsonbColumn_LoadsTheDefinition()
    {
        SkipIfUnavailable();

        var loaded = await NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition::jsonb FROM named_fields WHERE name = 'v2.5.1'");

        loaded.Segments.Keys.Should().BeEquivalentTo(NamedFieldsDefinition.BuiltIn("2.5.1").Segments.Keys);
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_MissingTable_ThrowsWithSqlState()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition FROM no_such_table");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("*(PostgresException, SQLSTATE 42P01)*");
        thrown.Which.InnerException.Should().BeOfType<PostgresException>();
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_DatabaseThatDoesNotExist_ThrowsWithTheProviderErrorInside()
    {
        SkipIfUnavailable();
        await using var missing = NpgsqlDataSource.Create(cluster.ConnectionStringFor("no_such_database"));

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(missing, "SELECT 1");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query failed (PostgresException, SQLSTATE 3D000)*");
        thrown.Which.InnerException.Should().BeOfType<PostgresException>();
    }

    protected override async Task<DbDataSource> CreateDataSourceAsync() => NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync());

    protected override bool IsAvailable => cluster.IsAvailable;

    protected override void SkipIfUnavailable() => cluster.SkipIfUnavailable();
}

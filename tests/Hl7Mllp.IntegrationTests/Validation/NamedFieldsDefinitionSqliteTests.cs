using System.Data.Common;
using Hl7Mllp.Testing;
using Microsoft.Data.Sqlite;

namespace Hl7Mllp.IntegrationTests.Validation;

/// <summary>The Named Fields query cases on a SQLite database file.</summary>
public sealed class NamedFieldsDefinitionSqliteTests : NamedFieldsDefinitionQueryTests
{
    private readonly TempDirectory _folder = new("nf-sqlite");

    protected override string TextColumnType => "TEXT";

    protected override string BytesQuery => "SELECT CAST(definition AS BLOB) FROM named_fields WHERE name = 'v2.5.1'";

    protected override string InvalidUtf8Query => "SELECT X'FFFE41'";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    protected override Task<DbDataSource> CreateDataSourceAsync()
    {
        // No pooling: the file is closed with the last connection, so the folder can be deleted.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _folder.Combine("named-fields.db"), Pooling = false }.ToString();
        return Task.FromResult(SqliteFactory.Instance.CreateDataSource(connectionString));
    }
}

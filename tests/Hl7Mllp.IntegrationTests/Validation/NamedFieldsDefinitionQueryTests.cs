using System.Data;
using System.Data.Common;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;
using Hl7Mllp.Validation;

namespace Hl7Mllp.IntegrationTests.Validation;

/// <summary>
/// <see cref="NamedFieldsDefinition.LoadFromQueryAsync(DbDataSource, string, CancellationToken)"/> against a real
/// database: the same cases for every provider, each subclass giving the database and its SQL dialect.
/// </summary>
public abstract class NamedFieldsDefinitionQueryTests : IAsyncLifetime
{
    private const string BuiltInResource = "Hl7Mllp.Validation.Definitions.hl7-v2.5.1.json";
    private const string CorpusFile = "oru_r01_v251_dex_02.hl7";

    private DbDataSource? _dataSource;

    /// <summary>The database, with table <c>named_fields (name, definition)</c> holding the built-in v2.5.1 JSON as <c>'v2.5.1'</c>.</summary>
    protected DbDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>The column type of <c>named_fields.definition</c>.</summary>
    protected abstract string TextColumnType { get; }

    /// <summary>A query returning the stored v2.5.1 definition as UTF-8 bytes.</summary>
    protected abstract string BytesQuery { get; }

    /// <summary>A query returning the bytes FF FE 41, which are not UTF-8.</summary>
    protected abstract string InvalidUtf8Query { get; }

    public async Task InitializeAsync()
    {
        if (!IsAvailable)
        {
            return;
        }

        _dataSource = await CreateDataSourceAsync();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = $"CREATE TABLE named_fields (name varchar(20) PRIMARY KEY, definition {TextColumnType}, version_number int)";
        await create.ExecuteNonQueryAsync();
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO named_fields (name, definition, version_number) VALUES ('v2.5.1', @json, 251), ('empty', NULL, 0), ('broken', '{\"version\": \"2.5.1\", \"segments\": {', 1)";
        var parameter = insert.CreateParameter();
        parameter.ParameterName = "@json";
        parameter.Value = BuiltInJson();
        insert.Parameters.Add(parameter);
        await insert.ExecuteNonQueryAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_BuiltInJsonInTable_ValidatesCorpusMessageLikeBuiltIn()
    {
        SkipIfUnavailable();

        var loaded = await NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition FROM named_fields WHERE name = 'v2.5.1'");

        loaded.Version.Should().Be("2.5.1");
        loaded.Segments.Keys.Should().BeEquivalentTo(NamedFieldsDefinition.BuiltIn("2.5.1").Segments.Keys);
        var expected = Validate(NamedFieldsDefinition.BuiltIn("2.5.1"));
        expected.Should().NotBeEmpty("the corpus message has known findings, so the comparison means something");
        Validate(loaded).Should().Equal(expected);
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_Utf8Bytes_LoadsTheSameDefinition()
    {
        SkipIfUnavailable();

        var loaded = await NamedFieldsDefinition.LoadFromQueryAsync(DataSource, BytesQuery);

        Validate(loaded).Should().Equal(Validate(NamedFieldsDefinition.BuiltIn("2.5.1")));
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_BytesThatAreNotUtf8_ThrowsNamingTheLength()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, InvalidUtf8Query);

        await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query returned 3 bytes in the first column that are not valid UTF-8*");
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_NoRows_ThrowsNamingNoRows()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition FROM named_fields WHERE name = 'missing'");

        await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query returned no rows*");
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_Null_ThrowsNamingNull()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition FROM named_fields WHERE name = 'empty'");

        await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query returned NULL*");
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_IntColumn_ThrowsNamingTheType()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT version_number FROM named_fields WHERE name = 'v2.5.1'");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query returned a value of type Int* (*) in the first column; it must return the definition's JSON as text or UTF-8 bytes.");
        thrown.Which.Message.Should().NotContain("251");
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_InvalidJson_ThrowsWithPositionButNotTheText()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition FROM named_fields WHERE name = 'broken'");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>()
            .WithMessage("The Named Fields definition returned by the query is invalid. Named Fields definition: invalid JSON at line 1*");
        thrown.Which.Message.Should().NotContain("\"segments\"");
        thrown.Which.InnerException.Should().BeOfType<NamedFieldsDefinitionException>();
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_SyntaxError_ThrowsWithProviderErrorInside()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELEC definition FROM named_fields");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query failed (*");
        thrown.Which.InnerException.Should().BeAssignableTo<DbException>();
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_ClosedConnection_OpensAndClosesIt()
    {
        SkipIfUnavailable();
        await using var connection = DataSource.CreateConnection();

        var loaded = await NamedFieldsDefinition.LoadFromQueryAsync(connection, "SELECT definition FROM named_fields WHERE name = 'v2.5.1'");

        loaded.Version.Should().Be("2.5.1");
        connection.State.Should().Be(ConnectionState.Closed);
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_OpenConnectionAndFailingQuery_LeavesItOpenAndUsable()
    {
        SkipIfUnavailable();
        await using var connection = await DataSource.OpenConnectionAsync();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(connection, "SELECT definition FROM named_fields WHERE name = 'empty'");

        await load.Should().ThrowAsync<NamedFieldsDefinitionException>();
        connection.State.Should().Be(ConnectionState.Open);
        (await NamedFieldsDefinition.LoadFromQueryAsync(connection, "SELECT definition FROM named_fields WHERE name = 'v2.5.1'")).Version.Should().Be("2.5.1");
        connection.State.Should().Be(ConnectionState.Open);
    }

    [SkippableFact]
    public async Task LoadFromQueryAsync_Canceled_ThrowsOperationCanceled()
    {
        SkipIfUnavailable();

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(DataSource, "SELECT definition FROM named_fields", new CancellationToken(canceled: true));

        await load.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Creates the (empty) database.</summary>
    protected abstract Task<DbDataSource> CreateDataSourceAsync();

    /// <summary>Whether the database can run here; when not, every test is skipped.</summary>
    protected virtual bool IsAvailable => true;

    /// <summary>Skips the test when the database cannot run here.</summary>
    protected virtual void SkipIfUnavailable()
    {
    }

    private static string BuiltInJson()
    {
        using var stream = typeof(NamedFieldsDefinition).Assembly.GetManifestResourceStream(BuiltInResource)
            ?? throw new InvalidOperationException($"{BuiltInResource} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<Hl7Error> Validate(NamedFieldsDefinition definition)
    {
        var findings = new List<Hl7Error>();
        new NamedFieldsValidator(definition).Validate(Hl7Message.Parse(CorpusLocator.ReadBytes(CorpusFile)), findings);
        return findings;
    }
}

using Hl7Mllp.Testing.Postgres;

namespace Hl7Mllp.IntegrationTests.Testing;

/// <summary>Shares one throwaway PostgreSQL cluster among the test classes of this collection.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name to put on <c>[Collection]</c>.</summary>
    public const string Name = "PostgreSQL";
}

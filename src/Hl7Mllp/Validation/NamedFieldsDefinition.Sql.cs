using System.Data;
using System.Data.Common;
using System.Text;

namespace Hl7Mllp.Validation;

/// <content>Loading a definition from a SQL query, through ADO.NET's provider-neutral abstractions.</content>
public sealed partial class NamedFieldsDefinition
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a definition from a SQL query on a database: the query returns the definition's JSON (the format of
    /// <see cref="FromJson"/>) in the first column of the first row; further columns and rows are ignored.
    /// </summary>
    /// <remarks>
    /// The definition is read once, when this is called: changes made to it in the database are not seen until the
    /// caller loads it again (for a receiver: until the service is restarted). Any ADO.NET provider works
    /// (<c>Microsoft.Data.Sqlite</c>, <c>Npgsql</c>, <c>Microsoft.Data.SqlClient</c>…); the core package depends on
    /// none. The column may be text (<c>text</c>, <c>varchar</c>, <c>json</c>, <c>jsonb</c>…) or UTF-8 bytes
    /// (<c>blob</c>, <c>bytea</c>). Exception messages never hold the definition's text.
    /// </remarks>
    /// <param name="dataSource">The database; a connection is opened from it for the query and closed afterwards.</param>
    /// <param name="query">The SQL, for example <c>SELECT definition FROM named_fields WHERE name = 'lab'</c>. Run as is, without parameters.</param>
    /// <param name="cancellationToken">Cancels opening the connection and running the query.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is empty or white space.</exception>
    /// <exception cref="NamedFieldsDefinitionException">
    /// The query failed (the provider's <see cref="DbException"/>, such as a syntax error or a lost connection, is the
    /// inner exception), returned no rows, returned NULL or a value that is neither text nor bytes, or the JSON is
    /// malformed or describes an invalid definition (the message says where).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<NamedFieldsDefinition> LoadFromQueryAsync(DbDataSource dataSource, string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(query);

        // A new connection is closed: the connection overload opens it, wraps a failed open, runs the query and closes it.
        var connection = dataSource.CreateConnection();
        await using (connection.ConfigureAwait(false))
        {
            return await LoadFromQueryAsync(connection, query, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a definition from a SQL query on a connection the caller owns, as
    /// <see cref="LoadFromQueryAsync(DbDataSource, string, CancellationToken)"/> does: a closed connection is opened
    /// for the query and closed again; an open one is used and left open.
    /// </summary>
    /// <remarks>The definition is read once, when this is called: changes made to it later are not seen until it is loaded again.</remarks>
    /// <param name="connection">The connection, closed or open; not disposed.</param>
    /// <param name="query">The SQL that returns the definition's JSON in the first column of the first row. Run as is, without parameters.</param>
    /// <param name="cancellationToken">Cancels opening the connection and running the query.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> or <paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is empty or white space.</exception>
    /// <exception cref="NamedFieldsDefinitionException">
    /// The query failed (the provider's <see cref="DbException"/> is the inner exception), returned no rows, returned
    /// NULL or a value that is neither text nor bytes, or the JSON is invalid.
    /// </exception>
    /// <exception cref="InvalidOperationException">The provider refused the connection's state (for example a broken connection, or one with an open reader).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<NamedFieldsDefinition> LoadFromQueryAsync(DbConnection connection, string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (connection.State != ConnectionState.Closed)
        {
            return await RunQueryAsync(connection, query, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw QueryFailed(exception);
        }

        try
        {
            return await RunQueryAsync(connection, query, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }
    }

    private static async Task<NamedFieldsDefinition> RunQueryAsync(DbConnection connection, string query, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await ReadFirstValueAsync(connection, query, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw QueryFailed(exception);
        }

        try
        {
            return FromJson(json);
        }
        catch (NamedFieldsDefinitionException exception)
        {
            // FromJson's message says where (line, byte, segment, field); the JSON text itself is never quoted.
            throw new NamedFieldsDefinitionException($"The Named Fields definition returned by the query is invalid. {exception.Message}", exception);
        }
    }

    private static async Task<string> ReadFirstValueAsync(DbConnection connection, string query, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = query;
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new NamedFieldsDefinitionException(
                        "The Named Fields definition query returned no rows; it must return the definition's JSON in the first column of the first row.");
                }

                if (await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false))
                {
                    throw new NamedFieldsDefinitionException(
                        "The Named Fields definition query returned NULL in the first column of the first row; it must return the definition's JSON.");
                }

                Type type = reader.GetFieldType(0);
                if (type == typeof(string))
                {
                    return await reader.GetFieldValueAsync<string>(0, cancellationToken).ConfigureAwait(false);
                }

                if (type == typeof(byte[]))
                {
                    return DecodeUtf8(await reader.GetFieldValueAsync<byte[]>(0, cancellationToken).ConfigureAwait(false));
                }

                throw new NamedFieldsDefinitionException(
                    $"The Named Fields definition query returned a value of type {type.Name} ({reader.GetDataTypeName(0)}) in the first column; it must return the definition's JSON as text or UTF-8 bytes.");
            }
        }
    }

    private static string DecodeUtf8(byte[] bytes)
    {
        try
        {
            ReadOnlySpan<byte> text = bytes;
            return StrictUtf8.GetString(text.StartsWith(Encoding.UTF8.Preamble) ? text[Encoding.UTF8.Preamble.Length..] : text);
        }
        catch (DecoderFallbackException exception)
        {
            throw new NamedFieldsDefinitionException(
                $"The Named Fields definition query returned {bytes.Length} bytes in the first column that are not valid UTF-8; it must return the definition's JSON as text or UTF-8 bytes.",
                exception);
        }
    }

    private static NamedFieldsDefinitionException QueryFailed(DbException exception) => new(
        $"The Named Fields definition query failed ({exception.GetType().Name}{(exception.SqlState is { Length: > 0 } state ? $", SQLSTATE {state}" : string.Empty)}); the provider's error is the inner exception.",
        exception);
}

/* odbc_token: connect to Azure SQL / Fabric SQL through the Microsoft ODBC
 * driver with a broker token, the SQL_COPT_SS_ACCESS_TOKEN way.
 *
 *   cc odbc_token.c $(pkg-config --cflags --libs vd_broker odbc) -o odbc_token
 *   VD_ODBC_CONNECTION_STRING='Driver={ODBC Driver 18 for SQL Server};Server=tcp:HOST,1433;Database=DB;Encrypt=yes' \
 *     ./odbc_token
 *
 * The connection string must carry no UID, PWD or Authentication keyword:
 * the access token is the credential. Without VD_ODBC_CONNECTION_STRING the
 * program stops before connecting, after the driver manager took the token. */

#include <stdio.h>
#include <stdlib.h>

#include <sql.h>
#include <sqlext.h>

#include <vd_broker.h>

#define SQL_SCOPE "https://database.windows.net/.default"

static void print_odbc_error(SQLSMALLINT type, SQLHANDLE handle, const char *what) {
    SQLCHAR state[6], message[512];
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (SQL_SUCCEEDED(SQLGetDiagRec(type, handle, 1, state, &native, message, sizeof message, &len))) {
        fprintf(stderr, "%s: [%s] %s\n", what, (char *)state, (char *)message);
    } else {
        fprintf(stderr, "%s failed\n", what);
    }
}

int main(void) {
    /* The blob: a 4-byte little-endian byte count, then the token in
     * UTF-16LE. Ask for the size first, then fetch into a buffer that fits
     * (the second call is served from the token cache). */
    size_t blob_len = 0;
    unsigned char probe[1];
    int32_t status = vd_broker_get_odbc_token(SQL_SCOPE, probe, sizeof probe, &blob_len, NULL);
    unsigned char *blob = NULL;
    if (status == VD_BROKER_ERR_BUFFER_TOO_SMALL) {
        blob = malloc(blob_len);
        status = blob != NULL ? vd_broker_get_odbc_token(SQL_SCOPE, blob, blob_len, &blob_len, NULL)
                              : VD_BROKER_ERR_BUFFER_TOO_SMALL;
    }
    if (status != VD_BROKER_OK) {
        char error[1024];
        vd_broker_last_error_message(error, sizeof error, NULL);
        fprintf(stderr, "%s: %s\n", vd_broker_status_name(status), error);
        free(blob);
        return status;
    }

    int exit_code = 1;
    SQLHENV env = SQL_NULL_HENV;
    SQLHDBC dbc = SQL_NULL_HDBC;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)) ||
        !SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
        !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
        fprintf(stderr, "cannot allocate ODBC handles\n");
        goto done;
    }
    /* A pre-connect attribute: set before SQLDriverConnect. */
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(dbc, VD_BROKER_SQL_COPT_SS_ACCESS_TOKEN, blob, SQL_IS_POINTER))) {
        print_odbc_error(SQL_HANDLE_DBC, dbc, "SQLSetConnectAttr(SQL_COPT_SS_ACCESS_TOKEN)");
        goto done;
    }
    printf("access-token blob set on the connection (%zu bytes)\n", blob_len);

    const char *connection_string = getenv("VD_ODBC_CONNECTION_STRING");
    if (connection_string == NULL) {
        printf("VD_ODBC_CONNECTION_STRING is not set: not connecting\n");
        exit_code = 0;
        goto done;
    }
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)connection_string, SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT))) {
        print_odbc_error(SQL_HANDLE_DBC, dbc, "SQLDriverConnect");
        goto done;
    }
    printf("connected\n");
    SQLDisconnect(dbc);
    exit_code = 0;

done:
    if (dbc != SQL_NULL_HDBC) {
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    }
    if (env != SQL_NULL_HENV) {
        SQLFreeHandle(SQL_HANDLE_ENV, env);
    }
    /* The driver copied the token when it connected; wipe ours. */
    vd_broker_secure_zero(blob, blob_len);
    free(blob);
    return exit_code;
}

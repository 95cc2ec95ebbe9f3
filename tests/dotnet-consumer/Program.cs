// A .NET program outside the binding, written as a user writes one against
// the package: the credential from Studio's environment, a token for
// Storage, and a blob uploaded to Azurite and read back with it. run.sh
// builds it against the assembly packed in the .nupkg and runs it on CoreCLR.
//
//   Consumer.dll ACCOUNT_URL CA_PEM
//
// It also checks what the run.sh cannot see from outside: GetTokenAsync, an
// exception, the events reaching an EventListener, and where the assembly
// and the native library were loaded from (printed for run.sh to check).
using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Azure.Core;
using VibeData.Studio.AzureCredBroker;

internal static class Program
{
    private static int Main(string[] args)
    {
        var account = args[0];
        var authority = new X509Certificate2(args[1]);
        using (var events = new Events())
        using (var credential = new StudioAzureCredBroker())
        {
            var storage = new TokenRequestContext(new[] { "https://storage.azure.com/.default" });
            var token = credential.GetToken(storage, default);
            var again = credential.GetTokenAsync(storage, default).AsTask().Result;
            Check(again.Equals(token), "GetTokenAsync did not return the cached token");
            try
            {
                credential.GetToken(new TokenRequestContext(new[] { "https://example.invalid/.default" }), default);
                Check(false, "an unmapped scope gave a token");
            }
            catch (ScopeNotAllowedException)
            {
            }

            using (var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => IssuedBy(authority, certificate, errors) })
            using (var http = new HttpClient(handler))
            {
                Blob(http, HttpMethod.Put, account + "/consumer?restype=container", token.Token, null, 201);
                Blob(http, HttpMethod.Put, account + "/consumer/hello.txt", token.Token, "hello from CoreCLR", 201);
                var read = Blob(http, HttpMethod.Get, account + "/consumer/hello.txt", token.Token, null, 200);
                Check(read == "hello from CoreCLR", "the blob read back is: " + read);
            }
            var seen = events.Seen();
            Check(seen.Any(e => e.StartsWith("Informational minted a fresh token for https://storage.azure.com")), "no event for the fresh token: " + string.Join(" | ", seen));
            Check(seen.Any(e => e.StartsWith("Verbose ") && e.Contains("served from the cache")), "no event for the cache hit: " + string.Join(" | ", seen));
            Check(seen.All(e => !e.Contains(token.Token)), "an event carried the token");
        }
        var native = File.ReadAllLines("/proc/self/maps").Select(l => l.Split(' ').Last()).First(p => p.EndsWith("/libvd_broker.so"));
        Console.WriteLine("consumer: CoreCLR {0}: a token from the broker uploaded and read back a blob in Azurite", Environment.Version);
        Console.WriteLine("assembly: " + typeof(StudioAzureCredBroker).Assembly.Location);
        Console.WriteLine("native: " + native);
        var azureCore = typeof(StudioAzureCredBroker).Assembly.GetReferencedAssemblies().Single(r => r.Name == "Azure.Core");
        Console.WriteLine("references: " + azureCore.FullName);
        return 0;
    }

    private static string Blob(HttpClient http, HttpMethod method, string url, string token, string body, int expected)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Authorization", "Bearer " + token);
        request.Headers.Add("x-ms-version", "2021-08-06");
        request.Headers.Add("x-ms-date", DateTime.UtcNow.ToString("R"));
        if (body != null || method == HttpMethod.Put)
        {
            request.Content = new StringContent(body ?? "", Encoding.UTF8);
            request.Headers.Add("x-ms-blob-type", "BlockBlob");
        }
        using (var response = http.SendAsync(request).Result)
        {
            var text = response.Content.ReadAsStringAsync().Result;
            Check((int)response.StatusCode == expected, $"{method} {url}: {(int)response.StatusCode} {text}");
            return text;
        }
    }

    // Azurite's certificate chains to the test CA of tests/azurite/start.sh, and only to it.
    private static bool IssuedBy(X509Certificate2 authority, X509Certificate2 certificate, SslPolicyErrors errors)
    {
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.ExtraStore.Add(authority);
            return chain.Build(certificate) && chain.ChainElements[chain.ChainElements.Count - 1].Certificate.Thumbprint == authority.Thumbprint;
        }
    }

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }

    // The binding's EventSource, as AzureEventSourceListener would enable it.
    private sealed class Events : EventListener
    {
        private readonly List<string> _seen = new List<string>();

        internal List<string> Seen()
        {
            lock (_seen)
            {
                return _seen.ToList();
            }
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "VibeData-Studio-AzureCredBroker")
            {
                EnableEvents(source, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            lock (_seen)
            {
                _seen.Add(e.Level + " " + e.Payload[0]);
            }
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// Azurite's Blob service over HTTPS with OAuth checks, started by the
    /// repository's tests/azurite/start.sh, and plain Blob REST calls to it.
    /// </summary>
    internal sealed class Azurite : IDisposable
    {
        private readonly string _directory;
        private readonly X509Certificate2 _authority;

        private Azurite(string directory, int port)
        {
            _directory = directory;
            _authority = new X509Certificate2(Path.Combine(directory, "ca.pem"));
            Account = $"https://127.0.0.1:{port}/devstoreaccount1";
        }

        internal string Account { get; }

        internal static Azurite Start()
        {
            var directory = TempDirectory.Create("azurite");
            var script = Path.Combine(RepositoryPaths.Root, "tests", "azurite", "start.sh");
            var start = new ProcessStartInfo("bash", $"\"{script}\" \"{directory}\"")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (var process = Process.Start(start))
            {
                var output = process.StandardOutput.ReadToEnd();
                var errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"tests/azurite/start.sh failed ({process.ExitCode}): {errors}{output}");
                }
                return new Azurite(directory, int.Parse(output.Trim()));
            }
        }

        /// <summary>Sends a Blob REST request with <paramref name="bearer"/>; the HTTP status and body.</summary>
        internal Tuple<int, string> Send(string method, string path, string bearer, string body = null, string blobType = null)
        {
            var request = (HttpWebRequest)WebRequest.Create(Account + path);
            request.Method = method;
            request.Proxy = null;
            request.ServerCertificateValidationCallback = TrustsTheTestAuthority;
            request.Headers["Authorization"] = "Bearer " + bearer;
            request.Headers["x-ms-version"] = "2021-08-06";
            request.Headers["x-ms-date"] = DateTime.UtcNow.ToString("R");
            if (blobType != null)
            {
                request.Headers["x-ms-blob-type"] = blobType;
            }
            if (body != null || method == "PUT")
            {
                var bytes = Encoding.UTF8.GetBytes(body ?? string.Empty);
                request.ContentLength = bytes.Length;
                using (var stream = request.GetRequestStream())
                {
                    stream.Write(bytes, 0, bytes.Length);
                }
            }
            try
            {
                using (var response = (HttpWebResponse)request.GetResponse())
                {
                    return Read(response);
                }
            }
            catch (WebException e) when (e.Response != null)
            {
                using (var response = (HttpWebResponse)e.Response)
                {
                    return Read(response);
                }
            }
        }

        private static Tuple<int, string> Read(HttpWebResponse response)
        {
            using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
            {
                return Tuple.Create((int)response.StatusCode, reader.ReadToEnd());
            }
        }

        // Azurite's certificate is signed by the CA start.sh made; nothing else is trusted.
        private bool TrustsTheTestAuthority(object sender, X509Certificate certificate, X509Chain unused, SslPolicyErrors errors)
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                chain.ChainPolicy.ExtraStore.Add(_authority);
                if (!chain.Build(new X509Certificate2(certificate)))
                {
                    return false;
                }
                var root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
                return root.Thumbprint == _authority.Thumbprint;
            }
        }

        public void Dispose()
        {
            var pid = int.Parse(File.ReadAllText(Path.Combine(_directory, "azurite.pid")).Trim());
            try
            {
                using (var process = Process.GetProcessById(pid))
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            _authority.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}

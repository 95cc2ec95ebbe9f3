using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// The crate's broker emulator as a real subprocess, and its control API.
    /// It exits when its standard input closes, so it dies with the test run.
    /// </summary>
    internal sealed class Emulator : IDisposable
    {
        private const string Banner = "vd-broker-emulator listening on ";

        private readonly Process _process;
        private readonly string _control;

        private Emulator(Process process, string brokerUrl, string helperSocket)
        {
            _process = process;
            BrokerUrl = brokerUrl;
            HelperSocket = helperSocket;
            var url = new Uri(brokerUrl);
            _control = url.GetLeftPart(UriPartial.Authority);
        }

        /// <summary>The broker base URL the emulator printed (the library appends <c>/token</c>).</summary>
        internal string BrokerUrl { get; }

        /// <summary>The Unix socket on which it also serves the runtime-access helper.</summary>
        internal string HelperSocket { get; }

        internal static Emulator Start(string executable, string helperSocket)
        {
            var start = new ProcessStartInfo(executable, $"--port 0 --quiet --exit-with-stdin --helper-socket \"{helperSocket}\"")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start);
            var line = process.StandardOutput.ReadLine();
            if (line == null || !line.StartsWith(Banner, StringComparison.Ordinal))
            {
                process.Kill();
                throw new InvalidOperationException($"{executable} did not announce its URL; it printed: {line ?? "(nothing)"}");
            }
            return new Emulator(process, line.Substring(Banner.Length).Trim(), helperSocket);
        }

        /// <summary>Settings, queued faults and the request log back to the start.</summary>
        internal void Reset()
        {
            Send("POST", "/_emulator/reset", null);
        }

        /// <summary>Queues a fault (the control API's JSON) for the next token requests.</summary>
        internal void Fault(string json)
        {
            Send("POST", "/_emulator/faults", json);
        }

        /// <summary>Changes settings (a partial JSON object).</summary>
        internal void Settings(string json)
        {
            Send("PUT", "/_emulator/settings", json);
        }

        /// <summary>Every token request recorded since the last reset, oldest first.</summary>
        internal List<Dictionary<string, object>> Requests()
        {
            var log = Json.ParseObject(Send("GET", "/_emulator/requests", null));
            return ((List<object>)log["requests"]).Cast<Dictionary<string, object>>().ToList();
        }

        /// <summary>The recorded broker requests that carried <paramref name="bearer"/>.</summary>
        internal List<Dictionary<string, object>> RequestsWith(BearerFile bearer)
        {
            return Requests().Where(r => Equals(r["bearer_sha256"], bearer.Sha256)).ToList();
        }

        /// <summary>The recorded requests on the runtime-access helper's socket.</summary>
        internal List<Dictionary<string, object>> HelperRequests()
        {
            return Requests().Where(r => Equals(r["face"], "helper")).ToList();
        }

        private string Send(string method, string path, string json)
        {
            var request = (HttpWebRequest)WebRequest.Create(_control + path);
            request.Method = method;
            request.Proxy = null;
            if (json != null)
            {
                var body = Encoding.UTF8.GetBytes(json);
                request.ContentType = "application/json";
                request.ContentLength = body.Length;
                using (var stream = request.GetRequestStream())
                {
                    stream.Write(body, 0, body.Length);
                }
            }
            try
            {
                using (var response = (HttpWebResponse)request.GetResponse())
                using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                {
                    return reader.ReadToEnd();
                }
            }
            catch (WebException e) when (e.Response != null)
            {
                using (var reader = new StreamReader(e.Response.GetResponseStream(), Encoding.UTF8))
                {
                    throw new InvalidOperationException($"emulator refused {method} {path}: {reader.ReadToEnd()}", e);
                }
            }
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000))
                {
                    _process.Kill();
                }
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}

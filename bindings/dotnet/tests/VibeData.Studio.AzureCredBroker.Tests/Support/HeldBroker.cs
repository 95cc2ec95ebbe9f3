using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// A loopback broker that takes one token request and holds its answer
    /// until the test releases it, so a test knows for certain that a native
    /// call is in flight (no sleeps, no timing). It answers once, then stops
    /// listening: a second request could only fail to connect.
    /// </summary>
    internal sealed class HeldBroker : IDisposable
    {
        internal const string Token = "held.broker.token";

        private readonly TcpListener _listener;
        private readonly ManualResetEventSlim _arrived = new ManualResetEventSlim();
        private readonly ManualResetEventSlim _released = new ManualResetEventSlim();
        private readonly Task _serving;

        internal HeldBroker()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            BrokerUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/api/v1/credential-broker";
            _serving = Task.Run(() => ServeOne());
        }

        internal string BrokerUrl { get; }

        /// <summary>Waits until the request has been read (false after 30 s).</summary>
        internal bool WaitForRequest()
        {
            return _arrived.Wait(TimeSpan.FromSeconds(30));
        }

        /// <summary>Lets the held answer go and waits until it has been written.</summary>
        internal void Release()
        {
            _released.Set();
            _serving.Wait(TimeSpan.FromSeconds(30));
        }

        private void ServeOne()
        {
            using (var client = _listener.AcceptTcpClient())
            using (var stream = client.GetStream())
            {
                _listener.Stop();
                ReadRequest(stream);
                _arrived.Set();
                _released.Wait();
                var body = "{\"access_token\":\"" + Token + "\",\"expires_in\":3600}";
                var answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n" +
                             $"Content-Length: {body.Length}\r\n\r\n{body}";
                var bytes = Encoding.ASCII.GetBytes(answer);
                stream.Write(bytes, 0, bytes.Length);
            }
        }

        // Headers up to the blank line, then Content-Length bytes of body.
        private static void ReadRequest(Stream stream)
        {
            var seen = new StringBuilder();
            while (!seen.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                var b = stream.ReadByte();
                if (b < 0)
                {
                    return;
                }
                seen.Append((char)b);
            }
            foreach (var line in seen.ToString().Split(new[] { "\r\n" }, StringSplitOptions.None))
            {
                if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
                {
                    var remaining = int.Parse(line.Substring("content-length:".Length).Trim());
                    var body = new byte[remaining];
                    while (remaining > 0)
                    {
                        var read = stream.Read(body, body.Length - remaining, remaining);
                        if (read <= 0)
                        {
                            return;
                        }
                        remaining -= read;
                    }
                }
            }
        }

        public void Dispose()
        {
            _released.Set();
            _listener.Stop();
            try
            {
                _serving.Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
                // Never accepted a connection: Stop ended the accept.
            }
            _arrived.Dispose();
            _released.Dispose();
        }
    }
}

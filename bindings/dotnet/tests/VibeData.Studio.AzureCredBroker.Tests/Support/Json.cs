using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// Just enough JSON to read the emulator's answers and token payloads on
    /// Mono and .NET alike (no JSON library is on both): objects become
    /// dictionaries, arrays lists, numbers doubles.
    /// </summary>
    internal static class Json
    {
        internal static object Parse(string text)
        {
            var reader = new Reader(text);
            var value = reader.Value();
            reader.SkipSpace();
            if (!reader.AtEnd)
            {
                throw new FormatException("trailing characters after JSON value");
            }
            return value;
        }

        internal static Dictionary<string, object> ParseObject(string text)
        {
            return (Dictionary<string, object>)Parse(text);
        }

        /// <summary><paramref name="value"/> as a JSON string literal.</summary>
        internal static string Quote(string value)
        {
            var quoted = new StringBuilder("\"");
            foreach (var c in value)
            {
                if (c == '"' || c == '\\')
                {
                    quoted.Append('\\').Append(c);
                }
                else if (c < ' ')
                {
                    quoted.Append("\\u").Append(((int)c).ToString("x4"));
                }
                else
                {
                    quoted.Append(c);
                }
            }
            return quoted.Append('"').ToString();
        }

        private sealed class Reader
        {
            private readonly string _text;
            private int _at;

            internal Reader(string text)
            {
                _text = text;
            }

            internal bool AtEnd => _at >= _text.Length;

            internal void SkipSpace()
            {
                while (!AtEnd && char.IsWhiteSpace(_text[_at]))
                {
                    _at++;
                }
            }

            internal object Value()
            {
                SkipSpace();
                if (AtEnd)
                {
                    throw new FormatException("unexpected end of JSON");
                }
                switch (_text[_at])
                {
                    case '{':
                        return Object();
                    case '[':
                        return Array();
                    case '"':
                        return String();
                    case 't':
                        return Literal("true", true);
                    case 'f':
                        return Literal("false", false);
                    case 'n':
                        return Literal("null", null);
                    default:
                        return Number();
                }
            }

            private Dictionary<string, object> Object()
            {
                var members = new Dictionary<string, object>();
                Expect('{');
                SkipSpace();
                if (Peek('}'))
                {
                    _at++;
                    return members;
                }
                while (true)
                {
                    SkipSpace();
                    var name = String();
                    SkipSpace();
                    Expect(':');
                    members[name] = Value();
                    SkipSpace();
                    if (Peek(','))
                    {
                        _at++;
                        continue;
                    }
                    Expect('}');
                    return members;
                }
            }

            private List<object> Array()
            {
                var items = new List<object>();
                Expect('[');
                SkipSpace();
                if (Peek(']'))
                {
                    _at++;
                    return items;
                }
                while (true)
                {
                    items.Add(Value());
                    SkipSpace();
                    if (Peek(','))
                    {
                        _at++;
                        continue;
                    }
                    Expect(']');
                    return items;
                }
            }

            private string String()
            {
                Expect('"');
                var text = new StringBuilder();
                while (true)
                {
                    if (AtEnd)
                    {
                        throw new FormatException("unterminated JSON string");
                    }
                    var c = _text[_at++];
                    if (c == '"')
                    {
                        return text.ToString();
                    }
                    if (c != '\\')
                    {
                        text.Append(c);
                        continue;
                    }
                    var escaped = _text[_at++];
                    switch (escaped)
                    {
                        case 'b': text.Append('\b'); break;
                        case 'f': text.Append('\f'); break;
                        case 'n': text.Append('\n'); break;
                        case 'r': text.Append('\r'); break;
                        case 't': text.Append('\t'); break;
                        case 'u':
                            text.Append((char)int.Parse(_text.Substring(_at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            _at += 4;
                            break;
                        default: text.Append(escaped); break;
                    }
                }
            }

            private object Number()
            {
                var start = _at;
                while (!AtEnd && "+-0123456789.eE".IndexOf(_text[_at]) >= 0)
                {
                    _at++;
                }
                if (start == _at)
                {
                    throw new FormatException($"unexpected character '{_text[_at]}' in JSON");
                }
                return double.Parse(_text.Substring(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            private object Literal(string word, object value)
            {
                if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0)
                {
                    throw new FormatException($"expected '{word}' in JSON");
                }
                _at += word.Length;
                return value;
            }

            private bool Peek(char c)
            {
                return !AtEnd && _text[_at] == c;
            }

            private void Expect(char c)
            {
                if (!Peek(c))
                {
                    throw new FormatException($"expected '{c}' in JSON at {_at}");
                }
                _at++;
            }
        }
    }
}

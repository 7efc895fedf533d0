import { useState, type FormEvent } from 'react';

/** Browser mode without a token: asks for the one `switchboard serve` printed. */
export function LoginScreen(props: { onToken: (token: string) => void; refused: boolean }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) props.onToken(token.trim());
  };
  return (
    <form className="login" onSubmit={submit}>
      <h1>Switchboard</h1>
      <p>Paste the token that <code>switchboard serve</code> printed, or open the link it printed.</p>
      {props.refused && (
        <p className="login-error" role="alert">
          The gateway refused that token.
        </p>
      )}
      <label>
        Token
        <input type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} />
      </label>
      <button type="submit" disabled={!token.trim()}>
        Connect
      </button>
    </form>
  );
}

import { useEffect, useState } from "react";

const API_URL = import.meta.env.VITE_API_URL ?? "/api";

export default function App() {
  const [health, setHealth] = useState("checking…");

  useEffect(() => {
    fetch(`${API_URL.replace(/\/api$/, "")}/health`)
      .then((response) => response.json())
      .then((body) => setHealth(body.status))
      .catch(() => setHealth("unreachable"));
  }, []);

  return (
    <main>
      <h1>Sophia AI</h1>
      <p>Backend: {health}</p>
    </main>
  );
}

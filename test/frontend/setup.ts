// Component tests run in jsdom: unmount after each test and give every test a fresh localStorage.
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

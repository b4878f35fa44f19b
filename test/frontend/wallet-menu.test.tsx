import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { WalletMenu } from "../../frontend/src/app/WalletMenu.tsx";
import { ACCOUNT_PLAN, devAccount } from "../../protocol/accounts.ts";
import { renderInApp, testConfig } from "./render.tsx";

describe("wallet menu", () => {
  it("offers a demo account per role on a local chain and connects the chosen one", async () => {
    const user = userEvent.setup();
    await renderInApp(<WalletMenu />);
    await user.click(await screen.findByRole("button", { name: "Connect wallet" }));
    const roles = ["Buyer", "Compute supplier", "Energy supplier", "Network supplier", "Registrar", "Arbiter"];
    for (const role of roles) expect(screen.getByRole("button", { name: `Play as ${role}` })).toBeTruthy();
    expect(screen.getByText(/No browser wallet found/)).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Play as Energy supplier" }));
    const energy = devAccount(ACCOUNT_PLAN.energySupplier).address;
    const menu = await screen.findByRole("button", {
      name: `Wallet: Energy supplier ${energy.slice(0, 6)}…${energy.slice(-4)}`,
    });
    expect(JSON.parse(localStorage.getItem("ccex.wallet")!)).toEqual({ kind: "demo", role: "energySupplier" });

    await user.click(menu);
    expect(screen.getByText(energy)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Disconnect" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Connect wallet" })).toBeTruthy());
    expect(localStorage.getItem("ccex.wallet")).toBeNull();
  });

  it("restores the demo account chosen before a reload", async () => {
    localStorage.setItem("ccex.wallet", JSON.stringify({ kind: "demo", role: "arbiter" }));
    await renderInApp(<WalletMenu />);
    const arbiter = devAccount(ACCOUNT_PLAN.arbiter).address;
    expect(
      await screen.findByRole("button", { name: `Wallet: Arbiter ${arbiter.slice(0, 6)}…${arbiter.slice(-4)}` }),
    ).toBeTruthy();
  });

  it("offers no demo accounts on a chain that is not local", async () => {
    const user = userEvent.setup();
    await renderInApp(<WalletMenu />, { config: testConfig({ local: false, demoAccounts: [] }) });
    await user.click(await screen.findByRole("button", { name: "Connect wallet" }));
    expect(screen.queryByRole("button", { name: /Play as/ })).toBeNull();
    expect(screen.queryByText("Demo accounts")).toBeNull();
  });

  it("speaks Chinese when the page does", async () => {
    const user = userEvent.setup();
    await renderInApp(<WalletMenu />, { language: "zh-CN" });
    await user.click(await screen.findByRole("button", { name: "连接钱包" }));
    expect(screen.getByRole("button", { name: "以买方身份体验" })).toBeTruthy();
  });
});

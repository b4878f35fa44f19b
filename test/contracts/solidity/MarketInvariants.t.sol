// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGreenCertificates} from "../../../contracts/interfaces/IGreenCertificates.sol";
import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";
import {Assertions} from "./utils/Assertions.sol";
import {Exchange} from "./utils/Exchange.sol";

/// @notice What must hold after any sequence of market actions (docs/market-rules.md; issue 2 "Tests"):
/// money, certificates and credits are conserved, and no Wh is retired twice. The runner calls the
/// handler's actions in random order with random arguments and checks every invariant after each.
contract MarketInvariantsTest is Assertions {
    MarketHandler internal handler;

    function setUp() public {
        handler = new MarketHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The market holds exactly the open bids' escrow, the open deals' escrow, every
    /// withdrawable balance and the fees not yet sent to the treasury.
    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 60
    function invariant_marketTokenBalanceEqualsEscrowsPlusWithdrawableBalances() public view {
        _checkMoney();
    }

    function _checkMoney() internal view {
        Exchange.Contracts memory x = handler.contracts();
        uint256 bidEscrow = 0;
        for (uint256 id = 1; id <= x.market.bidCount(); ++id) {
            IMarket.Bid memory bid = x.market.bidOf(id);
            bidEscrow += uint256(bid.remainingVcuHours) * bid.limitPricePerVcuHour;
        }
        uint256 withdrawable = 0;
        address[] memory everyone = handler.everyone();
        for (uint256 i = 0; i < everyone.length; ++i) withdrawable += x.market.withdrawableOf(everyone[i]);
        assertEq(
            x.token.balanceOf(address(x.market)),
            bidEscrow + handler.openDealEscrow() + withdrawable + x.market.accruedFees(),
            "market balance != bid escrow + deal escrow + withdrawable + fees"
        );
        assertTrue(bytes(handler.violation()).length == 0, handler.violation());
    }

    /// @notice For every batch, issued Wh = Wh held by anyone + Wh escrowed by the market + Wh retired,
    /// and the market escrows exactly the open energy offers' Wh and the open deals' lots.
    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 60
    function invariant_everyIssuedWhIsHeldEscrowedOrRetired() public view {
        _checkCertificates();
    }

    function _checkCertificates() internal view {
        Exchange.Contracts memory x = handler.contracts();
        uint256[] memory batchIds = handler.batchIds();
        address[] memory everyone = handler.everyone();
        for (uint256 b = 0; b < batchIds.length; ++b) {
            uint256 batchId = batchIds[b];
            uint256 held = 0;
            for (uint256 i = 0; i < everyone.length; ++i) held += x.certificates.balanceOf(everyone[i], batchId);
            uint256 escrowed = x.certificates.balanceOf(address(x.market), batchId);
            IGreenCertificates.Batch memory batch = x.certificates.batchOf(batchId);
            assertEq(batch.issuedWh, held + escrowed + batch.retiredWh, "issued != held + escrowed + retired");

            uint256 offered = 0;
            for (uint256 id = 1; id <= x.market.energyOfferCount(); ++id) {
                IMarket.EnergyOffer memory offer = x.market.energyOfferOf(id);
                if (offer.batchId == batchId) offered += offer.remainingWh;
            }
            assertEq(escrowed, offered + handler.openDealWh(batchId), "market escrow != open offers + open deal lots");
        }
    }

    /// @notice Credits ever minted = Σ over finalised deals of retired green Wh × (grid − source factor) / 1000.
    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 60
    function invariant_creditsMintedEqualTheFormulaOverFinalisedDeals() public view {
        _checkCredits();
    }

    function _checkCredits() internal view {
        Exchange.Contracts memory x = handler.contracts();
        assertEq(
            x.credits.totalSupply() + handler.retiredCredits(),
            handler.expectedCredits(),
            "credits minted != sum over finalised deals of green Wh x (grid - source) / 1000"
        );
    }

    /// @notice Each batch retired exactly what finalised deals and holders retired, once: a deal
    /// that closes twice, or a lot retired on a refund path, would show up here.
    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 60
    function invariant_noWhIsRetiredTwice() public view {
        _checkRetirements();
    }

    function _checkRetirements() internal view {
        Exchange.Contracts memory x = handler.contracts();
        uint256[] memory batchIds = handler.batchIds();
        for (uint256 b = 0; b < batchIds.length; ++b) {
            assertEq(
                x.certificates.batchOf(batchIds[b]).retiredWh,
                handler.retiredByDeals(batchIds[b]) + handler.retiredByHolders(batchIds[b]),
                "batch retired != retired by finalised deals + by holders"
            );
        }
        assertTrue(bytes(handler.violation()).length == 0, handler.violation());
    }

    /// @notice A fixed pseudo-random walk through every handler action, checking all invariants
    /// after each step; it also proves the handler really opens and closes deals, so the invariant
    /// campaign above is not vacuous.
    function test_aLongRandomWalkOpensAndClosesDealsAndKeepsEveryInvariant() public {
        for (uint256 step = 0; step < 160; ++step) {
            uint256 r = uint256(keccak256(abi.encode("walk", step)));
            uint256 action = r % 12;
            if (action < 3) handler.postOrdersAndSettle(r >> 8);
            else if (action == 3) handler.reportUsage(r >> 8, r >> 16, r >> 32);
            else if (action == 4 && r % 2 == 0) handler.confirmUsage(r >> 8);
            else if (action == 4 || action == 5) handler.disputeUsage(r >> 8, r >> 40);
            else if (action == 6) handler.resolveDispute(r >> 8, r >> 16);
            else if (action == 7) handler.finalize(r >> 8);
            else if (action == 8) handler.cancelNoShow(r >> 8);
            else if (action == 9 && r % 2 == 0) handler.withdraw(r >> 8);
            else if (action == 9) handler.withdrawFees();
            else if (action == 10) handler.closeAgain(r >> 8);
            else if (action == 11 && r % 2 == 0) handler.finalizeLapsedDispute(r >> 8);
            else if (action == 11 && r % 3 == 0) handler.toggleDeviceSuspension(r >> 8);
            else handler.passTime(r >> 8);
            _checkMoney();
            _checkCertificates();
            _checkCredits();
            _checkRetirements();
        }
        assertGe(handler.dealsOpened(), 10, "deals opened on the walk");
        assertGe(handler.dealsClosed(), 5, "deals closed on the walk");
        assertGe(handler.matchesSkipped(), 1, "matches skipped on the walk");
    }

    /// @notice A fixed walk through the dispute paths only: deals are reported, disputed, then either
    /// resolved by the arbiter or left to lapse and finalised by anyone, with every invariant checked
    /// after each step and closed deals offered every closing action again.
    function test_disputesResolvedOrLapsedKeepEveryInvariant() public {
        for (uint256 step = 0; step < 60; ++step) {
            uint256 r = uint256(keccak256(abi.encode("disputes", step)));
            uint256 action = r % 6;
            if (action == 0) handler.postOrdersAndSettle(r >> 8);
            else if (action == 1) handler.reportUsage(r >> 8, r >> 16, r >> 32);
            else if (action == 2) handler.disputeUsage(r >> 8, r >> 40);
            else if (action == 3) handler.resolveDispute(r >> 8, r >> 16);
            else if (action == 4) handler.finalizeLapsedDispute(r >> 8);
            else handler.closeAgain(r >> 8);
            _checkMoney();
            _checkCertificates();
            _checkCredits();
            _checkRetirements();
        }
        assertGe(handler.disputesOpened(), 3, "disputes opened on the walk");
        assertGe(handler.disputesResolved(), 1, "disputes resolved by the arbiter on the walk");
        assertGe(handler.disputesLapsed(), 1, "disputes finalised after their arbitration period lapsed on the walk");
        assertGe(handler.disputesBySuppliers(), 1, "disputes opened by an energy or network supplier on the walk");
    }

    /// @notice A fixed walk that suspends and reinstates generation devices between trades and has
    /// reports far outside the declared energy: suspended devices' Wh are neither offered, matched,
    /// retired nor credited, flagged reports never finalise unchallenged, and money, certificates
    /// and credits stay conserved throughout.
    function test_suspensionsAndFlaggedReportsKeepEveryInvariant() public {
        for (uint256 step = 0; step < 160; ++step) {
            uint256 r = uint256(keccak256(abi.encode("suspensions", step)));
            uint256 action = r % 12;
            if (action < 3) handler.postOrdersAndSettle(r >> 8);
            else if (action < 5) handler.reportUsage(r >> 8, r >> 16, r >> 32);
            else if (action == 5) handler.toggleDeviceSuspension(r >> 8);
            else if (action == 6) handler.confirmUsage(r >> 8);
            else if (action == 7) handler.finalize(r >> 8);
            else if (action == 8) handler.disputeUsage(r >> 8, r >> 40);
            else if (action == 9) handler.resolveDispute(r >> 8, r >> 16);
            else if (action == 10) handler.retireCertificates(r >> 8, r >> 16, r >> 32);
            else handler.cancelEnergyOffer(r >> 8);
            _checkMoney();
            _checkCertificates();
            _checkCredits();
            _checkRetirements();
        }
        assertGe(handler.suspensions(), 2, "devices suspended on the walk");
        assertGe(handler.reportsFlagged(), 1, "reports flagged on the walk");
        assertGe(handler.dealsClosed(), 3, "deals closed on the walk");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {DealMath} from "../../../contracts/libraries/DealMath.sol";
import {Assertions, bound} from "./utils/Assertions.sol";

/// @dev Exposes the library's calldata function to the fuzzer.
contract DealMathHarness {
    function outcome(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint16 acceptedBps
    ) external pure returns (IMarket.DealOutcome memory) {
        return DealMath.outcome(terms, report, acceptedBps, new bool[](terms.energyLots.length));
    }
}

/// @notice What any deal closing on any report pays out: the escrow exactly, nobody more than
/// agreed, certificate Wh either retired or returned, credits by the design's formula.
contract DealOutcomeTest is Assertions {
    uint256 internal constant BPS = 10_000;
    DealMathHarness internal harness;

    struct Inputs {
        uint256 vcuHours;
        uint256 vcuDelivered;
        uint256 whPerVcu;
        uint256 whConsumed;
        uint256 computePayment;
        uint256 bandwidthPayment;
        uint256 lotSeed;
        uint256 feeBps;
        uint256 margin;
        uint16 gridFactor;
        uint16 acceptedBps;
    }

    function setUp() public {
        harness = new DealMathHarness();
    }

    /// @notice Fuzzes terms as settlement could have opened them (payments + fee ≤ escrow) and any report.
    function testFuzz_outcomePaysOutTheEscrowExactlyAndNobodyMoreThanAgreed(Inputs memory inputs) public view {
        IMarket.DealTerms memory terms = _terms(inputs);
        IMarket.UsageReport memory report = IMarket.UsageReport({
            vcuDelivered: bound(inputs.vcuDelivered, 0, terms.vcuHours),
            whConsumed: bound(inputs.whConsumed, 0, terms.energyNeededWh * 3),
            meteringHash: bytes32(inputs.lotSeed)
        });
        uint16 acceptedBps = uint16(bound(inputs.acceptedBps, 0, BPS));
        IMarket.DealOutcome memory o = harness.outcome(terms, report, acceptedBps);

        uint256 paid = o.computePaid + o.bandwidthPaid;
        uint256 agreed = terms.computePayment + terms.bandwidthPayment;
        assertLe(o.computePaid, terms.computePayment, "compute paid above its payment");
        assertLe(o.bandwidthPaid, terms.bandwidthPayment, "bandwidth paid above its payment");
        uint256 avoided = 0;
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            IMarket.DealEnergyLot memory lot = terms.energyLots[i];
            IMarket.LotOutcome memory lotOutcome = o.energyLots[i];
            assertEq(lotOutcome.retiredWh + lotOutcome.returnedWh, lot.wh, "lot Wh neither retired nor returned");
            assertLe(lotOutcome.paid, lot.payment, "energy paid above its payment");
            paid += lotOutcome.paid;
            agreed += lot.payment;
            if (terms.gridFactor > lot.sourceFactor)
                avoided += lotOutcome.retiredWh * (terms.gridFactor - lot.sourceFactor);
        }
        assertLe(o.fee, terms.fee, "fee above the agreed fee");
        assertEq(paid + o.fee + o.refund, terms.escrow, "payouts + fee + refund != escrow");
        assertEq(o.credits, avoided / 1000, "credits != retired Wh x (grid - source) / 1000");
        // Pro rata to delivery: compute is paid exactly its share of delivered and accepted VCU-hours.
        assertEq(
            o.computePaid,
            (terms.computePayment * report.vcuDelivered * acceptedBps) / (terms.vcuHours * BPS),
            "compute not paid pro rata"
        );
        if (acceptedBps == 0) {
            assertEq(o.refund, terms.escrow, "a full refund share must refund the whole escrow");
            assertEq(o.credits, 0, "a full refund share must mint no credits");
        }
        if (paid == agreed) assertEq(o.fee, terms.fee, "full delivery must charge the whole fee");
    }

    /// @notice Accepting more of a report never pays suppliers less nor retires fewer Wh.
    function testFuzz_outcomeGrowsWithTheAcceptedShare(Inputs memory inputs, uint16 otherBps) public view {
        IMarket.DealTerms memory terms = _terms(inputs);
        IMarket.UsageReport memory report = IMarket.UsageReport({
            vcuDelivered: bound(inputs.vcuDelivered, 0, terms.vcuHours),
            whConsumed: bound(inputs.whConsumed, 0, terms.energyNeededWh * 3),
            meteringHash: bytes32(0)
        });
        uint16 low = uint16(bound(inputs.acceptedBps, 0, BPS));
        uint16 high = uint16(bound(otherBps, low, BPS));
        IMarket.DealOutcome memory a = harness.outcome(terms, report, low);
        IMarket.DealOutcome memory b = harness.outcome(terms, report, high);
        assertLe(a.computePaid, b.computePaid, "compute paid shrank as more was accepted");
        assertLe(a.credits, b.credits, "credits shrank as more was accepted");
        assertGe(a.refund, b.refund, "refund grew as more was accepted");
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            assertLe(a.energyLots[i].retiredWh, b.energyLots[i].retiredWh, "retired Wh shrank as more was accepted");
        }
    }

    /// @dev Terms that settlement could have opened: 0–3 non-empty lots within the energy need,
    /// payments plus fee inside the escrow.
    function _terms(Inputs memory inputs) internal pure returns (IMarket.DealTerms memory terms) {
        terms.vcuHours = bound(inputs.vcuHours, 1, 1e9);
        terms.energyNeededWh = terms.vcuHours * bound(inputs.whPerVcu, 3, 1e5);
        terms.computePayment = bound(inputs.computePayment, 0, 1e24);
        terms.bandwidthPayment = bound(inputs.bandwidthPayment, 0, 1e22);
        uint256 lotCount = inputs.lotSeed % 4;
        terms.energyLots = new IMarket.DealEnergyLot[](lotCount);
        uint256 left = terms.energyNeededWh;
        uint256 total = terms.computePayment + terms.bandwidthPayment;
        for (uint256 i = 0; i < lotCount; ++i) {
            uint256 r = uint256(keccak256(abi.encode(inputs.lotSeed, i)));
            // Leave at least one Wh for each later lot: lots never exceed the need, as settlement checks.
            uint256 wh = bound(r, 1, left - (lotCount - i - 1));
            left -= wh;
            terms.energyLots[i] = IMarket.DealEnergyLot({
                offerId: i + 1,
                supplier: address(uint160(i + 1)),
                batchId: i + 1,
                wh: wh,
                payment: bound(r >> 64, 0, 1e22),
                sourceFactor: uint16(bound(r >> 160, 0, 1_000))
            });
            total += terms.energyLots[i].payment;
        }
        terms.fee = (total * bound(inputs.feeBps, 0, 1_000)) / BPS;
        terms.escrow = total + terms.fee + bound(inputs.margin, 0, 1e24);
        terms.gridFactor = inputs.gridFactor % 2_000;
    }
}

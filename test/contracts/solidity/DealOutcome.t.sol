// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {DealMath} from "../../../contracts/libraries/DealMath.sol";
import {Assertions, bound} from "./utils/Assertions.sol";

/// @dev Exposes the library's calldata functions to the fuzzer, with the registry's retirement between
/// them (GreenCertificates.retireForDeal: lots in order, each min(its Wh, its hour's cap left, what its
/// supplier holds)); every lot has its own supplier here, so `deliverable[i]` is what lot i's holds.
contract DealMathHarness {
    function outcome(
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata report,
        uint16 acceptedBps,
        uint256[] calldata deliverable
    ) external pure returns (IMarket.DealOutcome memory o) {
        uint256[] memory retirable = DealMath.retirablePerHour(terms, report, acceptedBps, o);
        uint256[] memory capLeft = new uint256[](retirable.length);
        for (uint256 h = 0; h < retirable.length; ++h) capLeft[h] = retirable[h];
        uint256[] memory retiredWh = new uint256[](terms.energyLots.length);
        for (uint256 i = 0; i < retiredWh.length; ++i) {
            uint256 h = (terms.energyLots[i].hour - terms.start) / 3600;
            uint256 wh = terms.energyLots[i].wh < capLeft[h] ? terms.energyLots[i].wh : capLeft[h];
            retiredWh[i] = wh < deliverable[i] ? wh : deliverable[i];
            capLeft[h] -= retiredWh[i];
        }
        DealMath.payOut(terms, retirable, retiredWh, o);
    }
}

/// @notice What any deal closing on any hourly report pays out (docs/market-rules.md, "Finalisation"):
/// the escrow exactly, nobody more than agreed, no hour retiring more than min(green Wh, metered Wh)
/// × the accepted share, no lot more than its supplier can deliver, credits by the hourly formula.
contract DealOutcomeTest is Assertions {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant HOUR = 3600;
    uint40 internal constant START = 1_800_000_000; // on the hour
    DealMathHarness internal harness;

    struct Inputs {
        uint256 vcu;
        uint256 durationHours;
        uint256 whPerVcu;
        uint256 reportSeed;
        uint256 computePayment;
        uint256 bandwidthPayment;
        uint256 lotSeed;
        uint256 deliverySeed;
        uint256 feeBps;
        uint256 margin;
        uint16 gridFactor;
        uint16 acceptedBps;
    }

    function setUp() public {
        harness = new DealMathHarness();
    }

    /// @notice Fuzzes terms as settlement could have opened them (each hour's lots within the hour's
    /// need, payments + fee ≤ escrow), any hourly report and any certificate holdings.
    function testFuzz_outcomePaysOutTheEscrowExactlyAndRetiresNoHourBeyondItsMatchedWh(
        Inputs memory inputs
    ) public view {
        IMarket.DealTerms memory terms = _terms(inputs);
        IMarket.UsageReport memory report = _report(terms, inputs.reportSeed);
        uint256[] memory deliverable = _deliverable(terms, inputs.deliverySeed);
        uint16 acceptedBps = uint16(bound(inputs.acceptedBps, 0, BPS));
        IMarket.DealOutcome memory o = harness.outcome(terms, report, acceptedBps, deliverable);

        uint256 paid = o.computePaid + o.bandwidthPaid;
        assertLe(o.computePaid, terms.computePayment, "compute paid above its payment");
        assertLe(o.bandwidthPaid, terms.bandwidthPayment, "bandwidth paid above its payment");
        uint256 avoided = 0;
        uint256[] memory retiredPerHour = new uint256[](terms.durationHours);
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            IMarket.DealEnergyLot memory lot = terms.energyLots[i];
            IMarket.LotOutcome memory lotOutcome = o.energyLots[i];
            assertLe(lotOutcome.retiredWh + lotOutcome.undeliveredWh, lot.wh, "lot retired + undelivered > its Wh");
            assertLe(lotOutcome.retiredWh, deliverable[i], "lot retired more than its supplier holds");
            assertLe(lotOutcome.paid, lot.payment, "energy paid above its payment");
            assertEq(lotOutcome.paid, (lot.payment * lotOutcome.retiredWh) / lot.wh, "lot not paid pro rata");
            paid += lotOutcome.paid;
            retiredPerHour[(lot.hour - terms.start) / HOUR] += lotOutcome.retiredWh;
            if (terms.gridFactor > lot.sourceFactor) {
                avoided += lotOutcome.retiredWh * (terms.gridFactor - lot.sourceFactor);
            }
        }
        uint256[] memory green = _greenPerHour(terms);
        for (uint256 h = 0; h < terms.durationHours; ++h) {
            uint256 matched = green[h] < report.whPerHour[h] ? green[h] : report.whPerHour[h];
            assertLe(retiredPerHour[h], (matched * acceptedBps) / BPS, "an hour retired beyond its matched Wh");
        }
        assertLe(o.fee, terms.fee, "fee above the agreed fee");
        assertEq(paid + o.fee + o.refund, terms.escrow, "payouts + fee + refund != escrow");
        assertEq(o.credits, avoided / 1000, "credits != sum over hours of retired Wh x (grid - source) / 1000");
        uint256 delivered = 0;
        for (uint256 h = 0; h < terms.durationHours; ++h) delivered += report.vcuPerHour[h];
        assertEq(
            o.computePaid,
            (terms.computePayment * delivered * acceptedBps) / (terms.vcu * terms.durationHours * BPS),
            "compute not paid pro rata to VCU-hours delivered"
        );
        if (acceptedBps == 0) {
            assertEq(o.refund, terms.escrow, "a full refund share must refund the whole escrow");
            assertEq(o.credits, 0, "a full refund share must mint no credits");
        }
    }

    /// @notice When every supplier holds what it sold, each hour retires exactly min(green Wh,
    /// metered Wh) × the accepted share: time matching is the only cap.
    function testFuzz_fullyDeliveredLotsRetireExactlyEachHoursMatchedWh(Inputs memory inputs) public view {
        IMarket.DealTerms memory terms = _terms(inputs);
        IMarket.UsageReport memory report = _report(terms, inputs.reportSeed);
        uint256[] memory deliverable = new uint256[](terms.energyLots.length);
        for (uint256 i = 0; i < deliverable.length; ++i) deliverable[i] = terms.energyLots[i].wh;
        uint16 acceptedBps = uint16(bound(inputs.acceptedBps, 0, BPS));
        IMarket.DealOutcome memory o = harness.outcome(terms, report, acceptedBps, deliverable);
        uint256[] memory retiredPerHour = new uint256[](terms.durationHours);
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            retiredPerHour[(terms.energyLots[i].hour - terms.start) / HOUR] += o.energyLots[i].retiredWh;
            assertEq(o.energyLots[i].undeliveredWh, 0, "a fully held lot reported undelivered Wh");
        }
        uint256[] memory green = _greenPerHour(terms);
        for (uint256 h = 0; h < terms.durationHours; ++h) {
            uint256 matched = green[h] < report.whPerHour[h] ? green[h] : report.whPerHour[h];
            assertEq(retiredPerHour[h], (matched * acceptedBps) / BPS, "an hour did not retire its matched Wh");
        }
    }

    function _greenPerHour(IMarket.DealTerms memory terms) internal pure returns (uint256[] memory green) {
        green = new uint256[](terms.durationHours);
        for (uint256 i = 0; i < terms.energyLots.length; ++i) {
            green[(terms.energyLots[i].hour - terms.start) / HOUR] += terms.energyLots[i].wh;
        }
    }

    /// @dev Terms that settlement could have opened: 0–5 lots in the job's hours, ascending by
    /// (offer, hour), each hour's lots within the hour's need, payments plus fee inside the escrow.
    function _terms(Inputs memory inputs) internal pure returns (IMarket.DealTerms memory terms) {
        terms.start = START;
        terms.durationHours = uint16(bound(inputs.durationHours, 1, 8));
        terms.vcu = bound(inputs.vcu, 1, 1e6);
        terms.needPerHourWh = terms.vcu * bound(inputs.whPerVcu, 3, 1e5);
        terms.computePayment = bound(inputs.computePayment, 0, 1e24);
        terms.bandwidthPayment = bound(inputs.bandwidthPayment, 0, 1e22);
        uint256 lotCount = inputs.lotSeed % 6;
        terms.energyLots = new IMarket.DealEnergyLot[](lotCount);
        uint256[] memory left = new uint256[](terms.durationHours);
        for (uint256 h = 0; h < left.length; ++h) left[h] = terms.needPerHourWh;
        uint256 total = terms.computePayment + terms.bandwidthPayment;
        for (uint256 i = 0; i < lotCount; ++i) {
            uint256 r = uint256(keccak256(abi.encode(inputs.lotSeed, i)));
            uint256 h = r % terms.durationHours;
            if (left[h] == 0) h = 0;
            uint256 wh = bound(r >> 16, 1, left[h] == 0 ? 1 : left[h]);
            if (left[h] == 0) continue;
            left[h] -= wh;
            terms.energyLots[i] = IMarket.DealEnergyLot({
                offerId: i + 1, // one offer per lot keeps (offer, hour) ascending
                supplier: address(uint160(i + 1)),
                deviceId: ((r >> 80) % 3) + 1,
                hour: uint40(START + h * HOUR),
                wh: wh,
                payment: bound(r >> 96, 0, 1e22),
                sourceFactor: uint16(bound(r >> 176, 0, 1_000))
            });
            total += terms.energyLots[i].payment;
        }
        // Lots skipped above (their hour full) are dropped.
        uint256 kept = 0;
        for (uint256 i = 0; i < lotCount; ++i) {
            if (terms.energyLots[i].wh != 0) terms.energyLots[kept++] = terms.energyLots[i];
        }
        IMarket.DealEnergyLot[] memory lots = terms.energyLots;
        assembly ("memory-safe") {
            mstore(lots, kept)
        }
        terms.fee = (total * bound(inputs.feeBps, 0, 1_000)) / BPS;
        terms.escrow = total + terms.fee + bound(inputs.margin, 0, 1e24);
        terms.gridFactor = inputs.gridFactor % 2_000;
    }

    /// @dev Any report the market accepts: each hour's VCU ≤ the deal's, metered Wh up to 3 × the need.
    function _report(
        IMarket.DealTerms memory terms,
        uint256 seed
    ) internal pure returns (IMarket.UsageReport memory report) {
        report.vcuPerHour = new uint32[](terms.durationHours);
        report.whPerHour = new uint64[](terms.durationHours);
        for (uint256 h = 0; h < terms.durationHours; ++h) {
            uint256 r = uint256(keccak256(abi.encode(seed, h)));
            report.vcuPerHour[h] = uint32(bound(r, 0, terms.vcu));
            report.whPerHour[h] = uint64(bound(r >> 64, 0, terms.needPerHourWh * 3));
        }
        report.meteringRoot = bytes32(seed);
    }

    /// @dev What each lot's supplier holds at finalisation: anything from nothing to more than it sold.
    function _deliverable(IMarket.DealTerms memory terms, uint256 seed) internal pure returns (uint256[] memory held) {
        held = new uint256[](terms.energyLots.length);
        for (uint256 i = 0; i < held.length; ++i) {
            held[i] = bound(uint256(keccak256(abi.encode(seed, i))), 0, terms.energyLots[i].wh * 2);
        }
    }
}

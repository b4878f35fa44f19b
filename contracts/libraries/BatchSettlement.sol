// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";
import {DealMath} from "./DealMath.sol";
import {HourLanes} from "./HourLanes.sol";
import {Hours} from "./Hours.sol";
import {MatchRules} from "./MatchRules.sol";
import {Book, GridFactor} from "./MarketStorage.sol";

/// @title Settlement of a batch of matches into deals
/// @notice The body of `Market.settle`, an external library so that the market stays under the
/// contract size limit; it runs by DELEGATECALL in the market's storage and its events are the
/// market's. Each match reads top to bottom: check every limit of its orders hour by hour, record
/// the hourly use, record the deal, emit. A match that fails a check is skipped with its reason, so
/// one stale match never blocks the rest of the batch. It runs as the matcher (`msg.sender` is the
/// caller of `Market.settle`), which is how it refuses matches the matcher is itself a party of.
library BatchSettlement {
    using HourLanes for mapping(uint256 => uint256);

    /// @notice Grid emission factor of regions without their own, in gCO2e/kWh (0.61 kgCO2/kWh).
    uint16 internal constant DEFAULT_GRID_FACTOR = 610;

    /// @dev A match's orders as loaded from storage, and what checking it worked out.
    struct MatchContext {
        IMarket.Bid bid;
        IMarket.ComputeOffer offer;
        IMarket.EnergyOffer[] lotOffers;
        IMarket.BandwidthOffer link; // all zero when the match names none
        uint256 end; // the job's end: start + durationHours × 3600
        uint256 budget; // bid limit × vcu × durationHours: the deal's escrow
        uint256 needPerHourWh;
        uint256 fee;
        bool reservesLink; // the match reserves the bid's Mbps on the link (its first match on it)
    }

    /// @notice Settles `matches` in order; see {IMarket-settle}.
    function settle(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match[] calldata matches
    ) external returns (uint256 dealsOpened) {
        for (uint256 i = 0; i < matches.length; ++i) {
            uint256 freeMemory;
            // Nothing a match allocates outlives it, so the next match reuses its memory instead of
            // paying for ever more (quadratically priced) memory across the batch.
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            IMarket.SkipReason reason = _settleOne(book, certificates, matches[i]);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
            if (reason == IMarket.SkipReason.None) {
                ++dealsOpened;
            } else {
                emit IMarket.MatchSkipped(i, matches[i].bidId, matches[i].computeOfferId, reason);
            }
        }
    }

    /// @notice Grid emission factor of `region` in gCO2e/kWh.
    function gridFactorOf(Book storage book, uint8 region) internal view returns (uint16) {
        GridFactor memory factor = book.gridFactors[region];
        return factor.isSet ? factor.gCO2ePerKwh : DEFAULT_GRID_FACTOR;
    }

    function _settleOne(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match calldata m
    ) private returns (IMarket.SkipReason reason) {
        (IMarket.SkipReason checked, MatchContext memory ctx) = _check(book, certificates, m);
        // Declared by the call, not ahead of it: a declared context would allocate zeroed copies of its
        // nested order structs only to have them replaced.
        if (checked != IMarket.SkipReason.None) return checked;
        _record(book, m, ctx);

        // The terms are encoded once, for both the stored digest and the event.
        bytes memory encodedTerms = _encodedTerms(book, m, ctx);
        uint256 dealId = ++book.counts.deals;
        book.deals[dealId] = IMarket.Deal({
            status: IMarket.DealStatus.Active,
            flagged: false,
            since: uint40(block.timestamp),
            digest: DealMath.encodedTermsDigest(encodedTerms)
        });
        _emitDealOpened(dealId, m.bidId, ctx.bid.buyer, encodedTerms);
    }

    /// @dev Records what a checked match takes: the bid's VCU and start, each job hour's VCU on the
    /// compute offer, each lot's Wh of its offer hour, and the bid's Mbps in each job hour on the link.
    function _record(Book storage book, IMarket.Match calldata m, MatchContext memory ctx) private {
        IMarket.Bid storage bid = book.bids[m.bidId];
        // m.vcu ≤ remainingVcu was checked.
        unchecked {
            bid.remainingVcu = ctx.bid.remainingVcu - uint32(m.vcu);
        }
        bid.start = m.start;
        uint256 firstIndex = Hours.indexOf(m.start);
        uint256 endIndex = Hours.indexOf(ctx.end);
        mapping(uint256 => uint256) storage used = book.computeUsed[m.computeOfferId];
        for (uint256 h = firstIndex; h < endIndex; ++h) used.add32(h, m.vcu);
        IMarket.EnergyLot[] calldata lots = m.energyLots;
        for (uint256 i = 0; i < lots.length; ++i) {
            IMarket.EnergyLot calldata lot = lots[i];
            uint256 offset = (lot.hour - ctx.lotOffers[i].firstHour) / Hours.SECONDS_PER_HOUR;
            book.energyRemaining[lot.offerId].sub64(offset, lot.wh);
        }
        if (ctx.reservesLink) {
            if (ctx.bid.linkId == 0) {
                bid.linkId = uint48(m.bandwidthOfferId);
            } else {
                book.extraLinks[m.bidId][m.bandwidthOfferId] = true;
            }
            mapping(uint256 => uint256) storage reserved = book.bandwidthUsed[m.bandwidthOfferId];
            for (uint256 h = firstIndex; h < endIndex; ++h) reserved.add32(h, ctx.bid.bandwidthMbps);
        }
    }

    /// @dev Emits {IMarket-DealOpened}: its data, the one non-indexed argument `terms`, is exactly
    /// `abi.encode(terms)`, so the already encoded terms are logged as they are.
    function _emitDealOpened(uint256 dealId, uint256 bidId, address buyer, bytes memory encodedTerms) private {
        bytes32 topic = IMarket.DealOpened.selector;
        // Reads only the bytes of `encodedTerms` and writes no memory.
        assembly ("memory-safe") {
            log4(add(encodedTerms, 0x20), mload(encodedTerms), topic, dealId, bidId, buyer)
        }
    }

    /// @dev Loads a match's orders and checks it against every one of their limits, in the order of
    /// docs/market-rules.md ("Matching: what settle checks").
    function _check(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match calldata m
    ) private view returns (IMarket.SkipReason reason, MatchContext memory ctx) {
        ctx.bid = book.bids[m.bidId];
        reason = MatchRules.checkBid(m, ctx.bid, block.timestamp);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);
        ctx.end = uint256(m.start) + uint256(ctx.bid.durationHours) * Hours.SECONDS_PER_HOUR;
        ctx.offer = book.computeOffers[m.computeOfferId];
        reason = _checkCompute(book, m, ctx);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);
        if (ctx.bid.buyer == msg.sender || ctx.offer.supplier == msg.sender) {
            return (IMarket.SkipReason.MatcherIsParty, ctx);
        }

        // Bounding every payment by the budget first keeps the sums below from overflowing.
        // A uint80 limit × m.vcu (bounded by the uint32 remainingVcu in checkBid) × uint16 hours < 2^128.
        unchecked {
            ctx.budget = uint256(ctx.bid.limitPricePerVcuHour) * m.vcu * ctx.bid.durationHours;
        }
        if (m.computePayment > ctx.budget || m.bandwidthPayment > ctx.budget) {
            return (IMarket.SkipReason.PriceAboveLimit, ctx);
        }
        uint256 totalPayment;
        (reason, totalPayment) = _checkEnergy(book, certificates, m, ctx);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);

        if (m.bandwidthOfferId != 0) ctx.link = book.bandwidthOffers[m.bandwidthOfferId];
        reason = _checkBandwidth(book, m, ctx);
        if (reason != IMarket.SkipReason.None) return (reason, ctx);

        // Each payment is at most the budget (< 2^160), so the sum cannot overflow.
        unchecked {
            totalPayment += m.computePayment + m.bandwidthPayment;
        }
        (reason, ctx.fee) = MatchRules.checkPrice(totalPayment, ctx.bid.feeBps, ctx.budget);
    }

    /// @dev Rule 3: the compute offer, each job hour's capacity, and the reserve.
    function _checkCompute(
        Book storage book,
        IMarket.Match calldata m,
        MatchContext memory ctx
    ) private view returns (IMarket.SkipReason reason) {
        reason = MatchRules.checkCompute(ctx.bid, ctx.offer, m.start, ctx.end, block.timestamp);
        if (reason != IMarket.SkipReason.None) return reason;
        mapping(uint256 => uint256) storage used = book.computeUsed[m.computeOfferId];
        uint256 endIndex = Hours.indexOf(ctx.end);
        // checkBid bounded m.vcu by the bid's uint32 remainingVcu: a lane (uint32) plus it, and a uint96
        // price × it × uint16 hours, stay far below 2^256.
        unchecked {
            for (uint256 h = Hours.indexOf(m.start); h < endIndex; ++h) {
                if (used.get32(h) + m.vcu > ctx.offer.vcu) return IMarket.SkipReason.ComputeCapacityExceeded;
            }
            uint256 vcuHours = m.vcu * ctx.bid.durationHours;
            if (m.computePayment < uint256(ctx.offer.reservePricePerVcuHour) * vcuHours) {
                return IMarket.SkipReason.ComputePaymentBelowReserve;
            }
        }
        return IMarket.SkipReason.None;
    }

    /// @dev Rules 4 and 5: every lot against its offer hour, device and origin, then the green Wh of
    /// each job hour against the job's need in that hour and the bid's minimum share over the job.
    /// @return reason the first rule broken, or None
    /// @return lotPayments Σ lot payments (each at most the budget)
    function _checkEnergy(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.Match calldata m,
        MatchContext memory ctx
    ) private view returns (IMarket.SkipReason reason, uint256 lotPayments) {
        ctx.needPerHourWh = MatchRules.needPerHourWh(m.vcu, ctx.offer.whPerVcuHour, ctx.offer.pueMilli);
        uint256 lotCount = m.energyLots.length;
        ctx.lotOffers = new IMarket.EnergyOffer[](lotCount);
        uint256[] memory greenPerHour = new uint256[](ctx.bid.durationHours);
        uint256 greenWh = 0;
        uint256 previousKey = 0;
        for (uint256 i = 0; i < lotCount; ++i) {
            IMarket.EnergyLot calldata lot = m.energyLots[i];
            IMarket.EnergyOffer memory offer = book.energyOffers[lot.offerId];
            ctx.lotOffers[i] = offer;
            reason = MatchRules.checkEnergyLot(lot, previousKey, offer, m.start, ctx.end, block.timestamp);
            if (reason != IMarket.SkipReason.None) return (reason, 0);
            if (lot.wh > _remainingWh(book, lot, offer)) return (IMarket.SkipReason.EnergyQuantityExceeded, 0);
            if (offer.supplier == msg.sender) return (IMarket.SkipReason.MatcherIsParty, 0);
            if (certificates.isDeviceSuspended(offer.deviceId)) return (IMarket.SkipReason.EnergyDeviceSuspended, 0);
            if (!MatchRules.originAccepted(ctx.bid.certificateOrigin, offer.region, ctx.offer.region)) {
                return (IMarket.SkipReason.OriginNotAccepted, 0);
            }
            if (!MatchRules.lotCoversReserve(lot, offer)) return (IMarket.SkipReason.EnergyPaymentBelowReserve, 0);
            if (lot.payment > ctx.budget) return (IMarket.SkipReason.PriceAboveLimit, 0);
            previousKey = (lot.offerId << 40) | lot.hour;
            // Each lot's Wh fit its offer hour's uint64 and each payment is at most the budget (< 2^160).
            unchecked {
                greenPerHour[(lot.hour - m.start) / Hours.SECONDS_PER_HOUR] += lot.wh;
                greenWh += lot.wh;
                lotPayments += lot.payment;
            }
        }
        for (uint256 h = 0; h < greenPerHour.length; ++h) {
            if (greenPerHour[h] > ctx.needPerHourWh) return (IMarket.SkipReason.GreenAboveNeed, 0);
        }
        // The minimum is judged on hourly-matched energy only: the need of every job hour.
        // greenWh is at most the need of every job hour (checked just above), itself below 2^80 × 2^16,
        // so neither side of the comparison comes near 2^256.
        unchecked {
            if (greenWh * MatchRules.BPS < ctx.needPerHourWh * ctx.bid.durationHours * ctx.bid.minGreenBps) {
                return (IMarket.SkipReason.GreenShareBelowMinimum, 0);
            }
        }
        return (IMarket.SkipReason.None, lotPayments);
    }

    /// @dev Wh the lot's offer has left in the lot's hour (0 outside the offer's hours).
    function _remainingWh(
        Book storage book,
        IMarket.EnergyLot calldata lot,
        IMarket.EnergyOffer memory offer
    ) private view returns (uint256) {
        if (lot.hour < offer.firstHour) return 0;
        uint256 offset = (lot.hour - offer.firstHour) / Hours.SECONDS_PER_HOUR;
        if (offset >= offer.hourCount) return 0;
        return book.energyRemaining[lot.offerId].get64(offset);
    }

    /// @dev Rule 6: the link, each job hour's Mbps (reserved once per bid and link) and the reserve.
    function _checkBandwidth(
        Book storage book,
        IMarket.Match calldata m,
        MatchContext memory ctx
    ) private view returns (IMarket.SkipReason reason) {
        reason = MatchRules.checkBandwidth(m, ctx.bid, ctx.offer.region, ctx.link, ctx.end, block.timestamp);
        if (reason != IMarket.SkipReason.None || m.bandwidthOfferId == 0) return reason;
        if (ctx.link.supplier == msg.sender) return IMarket.SkipReason.MatcherIsParty;
        // A job uses its Mbps once on a link, however many matches fill it: only the first reserves.
        // A bid without a first link has no extra ones, so its first match skips their (cold) slot.
        ctx.reservesLink =
            ctx.bid.linkId == 0 ||
            (ctx.bid.linkId != m.bandwidthOfferId && !book.extraLinks[m.bidId][m.bandwidthOfferId]);
        if (!ctx.reservesLink) return IMarket.SkipReason.None;
        mapping(uint256 => uint256) storage reserved = book.bandwidthUsed[m.bandwidthOfferId];
        uint256 endIndex = Hours.indexOf(ctx.end);
        // A uint32 lane plus the bid's uint24 Mbps, and a uint96 price × uint24 Mbps × uint16 hours,
        // stay far below 2^256.
        unchecked {
            for (uint256 h = Hours.indexOf(m.start); h < endIndex; ++h) {
                if (reserved.get32(h) + ctx.bid.bandwidthMbps > ctx.link.mbps) {
                    return IMarket.SkipReason.BandwidthCapacityExceeded;
                }
            }
            uint256 mbpsHours = uint256(ctx.bid.bandwidthMbps) * ctx.bid.durationHours;
            if (m.bandwidthPayment < uint256(ctx.link.reservePricePerMbpsHour) * mbpsHours) {
                return IMarket.SkipReason.BandwidthPaymentBelowReserve;
            }
        }
        return IMarket.SkipReason.None;
    }

    /// @dev abi.encode(terms) of the deal a checked match opens ({IMarket-DealTerms}), written word by word
    /// in DealMath's layout (the struct's offset, its 22-word head, the lots' length, 7 words per lot):
    /// the same bytes as encoding a DealTerms built in memory, without building it first.
    function _encodedTerms(
        Book storage book,
        IMarket.Match calldata m,
        MatchContext memory ctx
    ) private view returns (bytes memory encoded) {
        uint256 lotCount = ctx.lotOffers.length;
        encoded = new bytes((1 + DealMath.TERMS_HEAD_WORDS + 1 + lotCount * DealMath.LOT_WORDS) * 32);
        _put(encoded, 0, 0x20); // where the (dynamic) struct starts
        _put(encoded, 1, m.bidId);
        _put(encoded, 2, uint256(uint160(ctx.bid.buyer)));
        _put(encoded, 3, m.computeOfferId);
        _put(encoded, 4, uint256(uint160(ctx.offer.supplier)));
        _put(encoded, 5, ctx.offer.region);
        _put(encoded, 6, m.start);
        _put(encoded, 7, ctx.bid.durationHours);
        _put(encoded, 8, m.vcu);
        _put(encoded, 9, m.computePayment);
        _put(encoded, 10, ctx.needPerHourWh);
        _put(encoded, 11, DealMath.TERMS_HEAD_WORDS * 32); // energyLots: right behind the head
        if (m.bandwidthOfferId != 0) {
            _put(encoded, 12, m.bandwidthOfferId);
            _put(encoded, 13, uint256(uint160(ctx.link.supplier)));
            if (ctx.reservesLink) _put(encoded, 14, ctx.bid.bandwidthMbps);
            _put(encoded, 15, m.bandwidthPayment);
        }
        _put(encoded, 16, ctx.fee);
        _put(encoded, 17, ctx.budget); // escrow
        _put(encoded, 18, gridFactorOf(book, ctx.offer.region));
        _put(encoded, 19, ctx.bid.minGreenBps);
        _put(encoded, 20, uint256(ctx.bid.certificateOrigin));
        // A bid's latestEnd fits uint40 and its grace period uint32, so the sum fits uint40 for
        // every window a bid can post (latestEnd < 2^40 − 2^32).
        _put(encoded, 21, Math.min(ctx.end + ctx.bid.reportGracePeriod, type(uint40).max)); // reportDeadline
        // The bid's own periods, fixed when it was posted: no later change shortens them.
        _put(encoded, 22, ctx.bid.challengePeriod);
        _put(encoded, 23, lotCount);
        _putLots(encoded, book, m.energyLots, ctx.lotOffers);
    }

    /// @dev Writes the lots of abi.encode(terms), 7 words each from word 24 (behind their length).
    function _putLots(
        bytes memory encoded,
        Book storage book,
        IMarket.EnergyLot[] calldata lots,
        IMarket.EnergyOffer[] memory lotOffers
    ) private view {
        for (uint256 i = 0; i < lotOffers.length; ++i) {
            IMarket.EnergyLot calldata lot = lots[i];
            IMarket.EnergyOffer memory lotOffer = lotOffers[i];
            // i counts lots that fit in calldata, so 24 + 7 × i is nowhere near 2^256.
            uint256 at;
            unchecked {
                at = 24 + i * DealMath.LOT_WORDS;
            }
            _put(encoded, at, lot.offerId);
            _put(encoded, at + 1, uint256(uint160(lotOffer.supplier)));
            _put(encoded, at + 2, lotOffer.deviceId);
            _put(encoded, at + 3, lot.hour);
            _put(encoded, at + 4, lot.wh);
            _put(encoded, at + 5, lot.payment);
            _put(encoded, at + 6, book.sourceFactors[lotOffer.source]);
        }
    }

    /// @dev Writes word `index` of `encoded`'s bytes.
    function _put(bytes memory encoded, uint256 index, uint256 value) private pure {
        // Callers size `encoded` for every index they write.
        assembly ("memory-safe") {
            mstore(add(add(encoded, 0x20), shl(5, index)), value)
        }
    }
}

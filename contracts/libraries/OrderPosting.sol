// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";
import {HourLanes} from "./HourLanes.sol";
import {Hours} from "./Hours.sol";
import {MarketCodes} from "./MarketCodes.sol";
import {MatchRules} from "./MatchRules.sol";
import {Book, Settings} from "./MarketStorage.sol";

/// @title Posting and cancelling of offers and bids
/// @notice The bodies of the market's `post*` functions and of the energy offer's cancellation:
/// validate the order (every code against MarketCodes and every time against Hours, so that no
/// unknown class, region or half hour ever reaches the book), store it packed, pull its escrow,
/// emit. An external library, like BatchSettlement, so that the market stays under the contract size
/// limit; it runs by DELEGATECALL, so `msg.sender` is the poster and the events, the storage and the
/// escrow are the market's.
library OrderPosting {
    using SafeERC20 for IERC20;
    using HourLanes for mapping(uint256 => uint256);

    /// @notice See {IMarket-postComputeOffer}.
    function postComputeOffer(
        Book storage book,
        IMarket.ComputeOfferParams calldata offer
    ) external returns (uint256 offerId) {
        _requireHardwareClass(offer.hardwareClass);
        _requireRegion(offer.region);
        _requireWindowAndExpiry(offer.windowStart, offer.windowEnd, offer.expiry);
        if (offer.vcu == 0) revert IMarket.MarketZeroQuantity();
        if (offer.whPerVcuHour == 0 || offer.pueMilli < MatchRules.PUE_SCALE) {
            revert IMarket.MarketInvalidEnergyProfile(offer.whPerVcuHour, offer.pueMilli);
        }
        offerId = ++book.counts.computeOffers;
        book.computeOffers[offerId] = IMarket.ComputeOffer({
            supplier: msg.sender,
            hardwareClass: offer.hardwareClass,
            region: offer.region,
            pueMilli: offer.pueMilli,
            expiry: offer.expiry,
            windowStart: offer.windowStart,
            windowEnd: offer.windowEnd,
            vcu: offer.vcu,
            whPerVcuHour: offer.whPerVcuHour,
            reservePricePerVcuHour: offer.reservePricePerVcuHour
        });
        emit IMarket.ComputeOfferPosted(offerId, msg.sender, offer);
    }

    /// @notice See {IMarket-postEnergyOffer}.
    function postEnergyOffer(
        Book storage book,
        IGreenCertificates certificates,
        IMarket.EnergyOfferParams calldata offer
    ) external returns (uint256 offerId) {
        if (offer.expiry <= block.timestamp) {
            revert IMarket.MarketInvalidExpiry(offer.expiry, block.timestamp, type(uint40).max);
        }
        if (!Hours.isOnHour(offer.firstHour)) revert IMarket.MarketTimeNotOnHour(offer.firstHour);
        uint256 hourCount = offer.whPerHour.length;
        if (hourCount == 0 || hourCount > Hours.MAX_OFFER_HOURS) {
            revert IMarket.MarketInvalidOfferHours(hourCount, Hours.MAX_OFFER_HOURS);
        }
        IGreenCertificates.DeviceProfile memory device = certificates.deviceProfileOf(offer.deviceId);
        if (device.status != IGreenCertificates.DeviceStatus.Approved) {
            revert IMarket.MarketDeviceNotApproved(offer.deviceId, device.status);
        }
        if (device.owner != msg.sender) revert IMarket.MarketNotDeviceOwner(offer.deviceId, msg.sender, device.owner);
        if (!certificates.isApprovedForAll(msg.sender, address(this))) {
            revert IMarket.MarketCertificatesNotApproved(msg.sender);
        }
        offerId = ++book.counts.energyOffers;
        uint256 totalWh = _offerHours(book, offerId, offer, device.capacityW);
        if (totalWh == 0) revert IMarket.MarketZeroQuantity();
        book.energyOffers[offerId] = IMarket.EnergyOffer({
            supplier: msg.sender,
            deviceId: offer.deviceId,
            source: device.source,
            region: device.region,
            expiry: offer.expiry,
            firstHour: offer.firstHour,
            hourCount: uint16(hourCount),
            reservePricePerKwh: offer.reservePricePerKwh
        });
        emit IMarket.EnergyOfferPosted(offerId, msg.sender, offer.deviceId, device.source, device.region, offer);
    }

    /// @dev Adds each offered hour's Wh to the offer's lanes and to its device-hour's offered total,
    /// which may not exceed the device's capacity × 1 h. Returns Σ whPerHour.
    function _offerHours(
        Book storage book,
        uint256 offerId,
        IMarket.EnergyOfferParams calldata offer,
        uint256 capacityWh
    ) private returns (uint256 totalWh) {
        uint256 firstIndex = Hours.indexOf(offer.firstHour);
        uint256 deviceKey = uint256(offer.deviceId) << 34;
        for (uint256 i = 0; i < offer.whPerHour.length; ++i) {
            uint256 wh = offer.whPerHour[i];
            if (wh == 0) continue;
            uint256 offered = book.deviceHourOffered.get64(deviceKey | (firstIndex + i)) + wh;
            if (offered > capacityWh) {
                revert IMarket.MarketHourOverCapacity(
                    offer.deviceId,
                    uint40((firstIndex + i) * Hours.SECONDS_PER_HOUR),
                    offered,
                    capacityWh
                );
            }
            book.deviceHourOffered.add64(deviceKey | (firstIndex + i), wh);
            book.energyRemaining[offerId].add64(i, wh);
            totalWh += wh;
        }
    }

    /// @notice See {IMarket-cancelEnergyOffer}.
    function cancelEnergyOffer(Book storage book, uint256 offerId) external {
        IMarket.EnergyOffer storage offer = book.energyOffers[offerId];
        uint256 hourCount = offer.hourCount;
        if (hourCount == 0) revert IMarket.MarketOrderNotOpen(IMarket.OrderKind.EnergyOffer, offerId);
        if (offer.supplier != msg.sender) {
            revert IMarket.MarketNotOrderOwner(IMarket.OrderKind.EnergyOffer, offerId, msg.sender);
        }
        offer.hourCount = 0;
        uint256 deviceKey = uint256(offer.deviceId) << 34;
        uint256 firstIndex = Hours.indexOf(offer.firstHour);
        uint64[] memory unsold = new uint64[](hourCount);
        for (uint256 i = 0; i < hourCount; ++i) {
            uint256 wh = book.energyRemaining[offerId].get64(i);
            if (wh == 0) continue;
            // The device-hour counter includes every Wh still in this offer.
            book.deviceHourOffered.sub64(deviceKey | (firstIndex + i), wh);
            unsold[i] = uint64(wh);
        }
        // Lanes of the cancelled offer are cleared slot by slot: nothing reads them again.
        for (uint256 slot = 0; slot <= (hourCount - 1) >> 2; ++slot) delete book.energyRemaining[offerId][slot];
        emit IMarket.EnergyOfferCancelled(offerId, msg.sender, offer.deviceId, unsold);
    }

    /// @notice See {IMarket-postBandwidthOffer}.
    function postBandwidthOffer(
        Book storage book,
        IMarket.BandwidthOfferParams calldata offer
    ) external returns (uint256 offerId) {
        _requireRegion(offer.fromRegion);
        _requireRegion(offer.toRegion);
        if (offer.fromRegion == offer.toRegion) revert IMarket.MarketInvalidRoute(offer.fromRegion, offer.toRegion);
        _requireWindowAndExpiry(offer.windowStart, offer.windowEnd, offer.expiry);
        if (offer.mbps == 0) revert IMarket.MarketZeroQuantity();
        offerId = ++book.counts.bandwidthOffers;
        book.bandwidthOffers[offerId] = IMarket.BandwidthOffer({
            supplier: msg.sender,
            fromRegion: offer.fromRegion,
            toRegion: offer.toRegion,
            latencyMs: offer.latencyMs,
            expiry: offer.expiry,
            windowStart: offer.windowStart,
            windowEnd: offer.windowEnd,
            mbps: offer.mbps,
            reservePricePerMbpsHour: offer.reservePricePerMbpsHour
        });
        emit IMarket.BandwidthOfferPosted(offerId, msg.sender, offer);
    }

    /// @notice See {IMarket-postBid}; the caller has already applied any permit.
    /// @param settings the market's settings now: their fee and deal periods are fixed into the bid
    function postBid(
        Book storage book,
        Settings memory settings,
        IERC20 settlementToken,
        IMarket.BidParams calldata bid
    ) external returns (uint256 bidId) {
        _requireHardwareClass(bid.hardwareClass);
        if (!MarketCodes.isRegion(bid.buyerRegion)) revert IMarket.MarketUnknownBuyerRegion(bid.buyerRegion);
        uint256 windowHours = _requireWindowAndExpiry(bid.earliestStart, bid.latestEnd, bid.expiry);
        if (bid.durationHours == 0 || bid.durationHours > windowHours || bid.durationHours > Hours.MAX_JOB_HOURS) {
            revert IMarket.MarketInvalidDuration(bid.durationHours, windowHours, Hours.MAX_JOB_HOURS);
        }
        if (bid.vcu == 0) revert IMarket.MarketZeroQuantity();
        if (bid.acceptableRegions == 0) revert IMarket.MarketNoAcceptableRegion();
        if (bid.acceptableRegions & ~MarketCodes.REGION_MASK != 0) {
            revert IMarket.MarketUnknownAcceptableRegions(bid.acceptableRegions);
        }
        if (bid.minGreenBps > MatchRules.BPS) revert IMarket.MarketInvalidGreenShare(bid.minGreenBps);
        if (bid.certificateOrigin > uint8(type(IMarket.CertificateOrigin).max)) {
            revert IMarket.MarketUnknownCertificateOrigin(bid.certificateOrigin);
        }
        uint256 escrow = uint256(bid.vcu) * bid.durationHours * bid.limitPricePerVcuHour;
        bidId = ++book.counts.bids;
        book.bids[bidId] = IMarket.Bid({
            buyer: msg.sender,
            hardwareClass: bid.hardwareClass,
            buyerRegion: bid.buyerRegion,
            minGreenBps: bid.minGreenBps,
            maxLatencyMs: bid.maxLatencyMs,
            certificateOrigin: IMarket.CertificateOrigin(bid.certificateOrigin),
            expiry: bid.expiry,
            earliestStart: bid.earliestStart,
            latestEnd: bid.latestEnd,
            durationHours: bid.durationHours,
            remainingVcu: bid.vcu,
            start: 0,
            bandwidthMbps: bid.bandwidthMbps,
            linkId: 0,
            limitPricePerVcuHour: bid.limitPricePerVcuHour,
            acceptableRegions: bid.acceptableRegions,
            challengePeriod: settings.challengePeriod,
            reportGracePeriod: settings.reportGracePeriod,
            feeBps: settings.feeBps
        });
        _pullEscrow(settlementToken, escrow);
        emit IMarket.BidPosted(bidId, msg.sender, bid, escrow);
    }

    /// @dev The escrow the market owes back is what it asked for, so it must have received exactly that:
    /// a fee-on-transfer (or otherwise short-changing) token would leave it owing more than it holds.
    function _pullEscrow(IERC20 settlementToken, uint256 escrow) private {
        uint256 balanceBefore = settlementToken.balanceOf(address(this));
        settlementToken.safeTransferFrom(msg.sender, address(this), escrow);
        uint256 balanceAfter = settlementToken.balanceOf(address(this));
        uint256 received = balanceAfter > balanceBefore ? balanceAfter - balanceBefore : 0;
        if (received != escrow) revert IMarket.MarketTokenTransferMismatch(escrow, received);
    }

    function _requireHardwareClass(uint8 hardwareClass) private pure {
        if (!MarketCodes.isHardwareClass(hardwareClass)) revert IMarket.MarketUnknownHardwareClass(hardwareClass);
    }

    function _requireRegion(uint8 region) private pure {
        if (!MarketCodes.isRegion(region)) revert IMarket.MarketUnknownRegion(region);
    }

    /// @return windowHours the window's length in hours
    function _requireWindowAndExpiry(
        uint40 windowStart,
        uint40 windowEnd,
        uint40 expiry
    ) private view returns (uint256 windowHours) {
        if (!Hours.isOnHour(windowStart)) revert IMarket.MarketTimeNotOnHour(windowStart);
        if (!Hours.isOnHour(windowEnd)) revert IMarket.MarketTimeNotOnHour(windowEnd);
        if (windowStart >= windowEnd) revert IMarket.MarketInvalidWindow(windowStart, windowEnd);
        windowHours = (windowEnd - windowStart) / Hours.SECONDS_PER_HOUR;
        if (windowHours > Hours.MAX_WINDOW_HOURS)
            revert IMarket.MarketWindowTooLong(windowHours, Hours.MAX_WINDOW_HOURS);
        if (expiry <= block.timestamp || expiry > windowEnd) {
            revert IMarket.MarketInvalidExpiry(expiry, block.timestamp, windowEnd);
        }
    }
}
